import { choice, defineFlow } from '../src/core/flow.js';

/** Offered after three answers the bot could not read: a person, the menu, or one more try. */
export default defineFlow({
  id: 'help',
  version: 1,
  start: 'offer',
  steps: {
    offer: {
      prompt: 'common:help_offer',
      expect: choice(['person', 'menu', 'retry'], 'common:help_offer_choices'),
      branches: { person: 'flow:handover', menu: 'flow:menu', retry: 'resume' },
    },
  },
});
