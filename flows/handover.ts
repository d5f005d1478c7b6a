import { choice, defineFlow } from '../src/core/flow.js';

/** "Talk to a person": the conversation goes to the coordinator inbox and the bot steps aside. */
export default defineFlow({
  id: 'handover',
  version: 1,
  start: 'confirm',
  steps: {
    confirm: {
      prompt: 'handover:confirm',
      expect: choice(['yes', 'no'], 'handover:confirm_choices'),
      branches: { yes: 'opened', no: 'flow:menu' },
    },
    opened: { prompt: 'handover:opened', effects: ['openHandover'], end: true },
  },
});
