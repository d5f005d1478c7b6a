import { choiceFrom, defineFlow } from '../src/core/flow.js';

/**
 * The monthly supervision check-in (M4M step 9): a mentor picks one of the times the coordinator
 * offers, or says not now. Pushed once a month to mentors of active pairs.
 */
export default defineFlow({
  id: 'supervision',
  version: 1,
  pushed: true,
  needs: ['slots'],
  start: 'pick',
  steps: {
    pick: {
      prompt: 'supervision:invite',
      expect: choiceFrom('supervisionSlots'),
      saveAs: 'slotId',
      branches: { later: 'later', otherwise: 'booked' },
    },
    // Whether the time is still free is known only when it is booked: the answer comes from there.
    booked: { effects: ['bookSupervision'], next: 'resume' },
    later: { prompt: 'supervision:later_reply', next: 'resume' },
  },
});
