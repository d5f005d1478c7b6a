import { choice, defineFlow } from '../src/core/flow.js';

/** "My data and privacy": the notice again, consent given later, or everything erased. */
export default defineFlow({
  id: 'privacy',
  version: 1,
  start: 'main',
  steps: {
    main: {
      prompt: 'privacy:main',
      expect: choice([{ id: 'consent', when: 'notConsented' }, 'erase', 'menu'], 'privacy:choices'),
      branches: { consent: 'flow:onboarding#privacy', erase: 'confirm_erase', menu: 'flow:menu' },
    },
    confirm_erase: {
      prompt: 'privacy:confirm_erase',
      expect: choice(['yes', 'no'], 'privacy:confirm_erase_choices'),
      branches: { yes: 'erased', no: 'flow:menu' },
    },
    erased: { prompt: 'privacy:erased', effects: ['eraseMyData'], end: true },
  },
});
