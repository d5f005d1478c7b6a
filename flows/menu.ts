import { choice, defineFlow } from '../src/core/flow.js';

/** The main menu: where every finished flow and the `menu` command lead. */
export default defineFlow({
  id: 'menu',
  version: 1,
  start: 'main',
  steps: {
    main: {
      prompt: 'menu:main',
      expect: choice([{ id: 'signup', when: 'consented' }, 'faq', 'person', 'language', 'privacy'], 'menu:choices'),
      branches: { signup: 'signup', faq: 'flow:faq', person: 'flow:handover', language: 'flow:language', privacy: 'flow:privacy' },
    },
    // Registration in chat is its own flow, still to come; until then a coordinator signs people up.
    signup: {
      prompt: 'menu:signup',
      expect: choice(['person', 'menu'], 'menu:signup_choices'),
      branches: { person: 'flow:handover', menu: 'main' },
    },
  },
});
