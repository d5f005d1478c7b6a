import { choice, defineFlow } from '../src/core/flow.js';

/**
 * After the informal meeting a coordinator arranged for a proposed pair (M4M step 5): would each
 * like to go on together? Two yeses and the coordinator confirms the match; a no, and the mentee
 * goes back to matching.
 */
export default defineFlow({
  id: 'after_meeting',
  version: 1,
  pushed: true,
  start: 'ask',
  steps: {
    ask: {
      prompt: 'consultation:continue',
      vars: ['pushOther'],
      expect: choice(['yes', 'no'], 'consultation:continue_choices'),
      branches: { yes: 'yes', no: 'no' },
    },
    yes: { prompt: 'consultation:continue_yes', effects: ['continueAfterMeeting'], next: 'resume' },
    no: { prompt: 'consultation:continue_no', effects: ['stopAfterMeeting'], next: 'resume' },
  },
});
