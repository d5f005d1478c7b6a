import { choice, defineFlow } from '../src/core/flow.js';

/**
 * The other side of a pair is asked about a proposed session: yes, another time (they propose
 * one themselves), or no. Started by the proposal (an `offer` pushed into their queue); they
 * come back to whatever they were doing afterwards.
 */
export default defineFlow({
  id: 'session_offer',
  version: 1,
  pushed: true,
  start: 'ask',
  steps: {
    ask: {
      prompt: 'sessions:offer',
      vars: ['offerFrom', 'offeredSession'],
      expect: choice(['accept', 'other_time', 'decline'], 'sessions:offer_choices'),
      branches: { accept: 'accepted', other_time: 'other_time', decline: 'declined' },
    },
    accepted: { prompt: 'sessions:accepted', effects: ['acceptSession'], next: 'resume' },
    other_time: { effects: ['offerOtherTime'], next: 'flow:sessions#day' },
    declined: { prompt: 'sessions:declined', effects: ['declineSession'], next: 'resume' },
  },
});
