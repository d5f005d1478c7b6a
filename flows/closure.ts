import { defineFlow } from '../src/core/flow.js';

/**
 * The end of the mentoring process (M4M step 10), at the programme's length: a word of thanks,
 * then the self-assessment again (the final one, compared with the baseline) and what next:
 * carry on for a while, start a new process, or finish (flows/assessment.ts). The coordinator
 * records the outcome in the inbox.
 */
export default defineFlow({
  id: 'closure',
  version: 1,
  pushed: true,
  start: 'intro',
  steps: {
    intro: { prompt: 'closure:intro', vars: ['closurePair'], next: 'assess' },
    assess: { onlyIf: 'isMentee', next: 'flow:final_mentee', skipTo: 'flow:final_mentor' },
  },
});
