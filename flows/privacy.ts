import { choice, defineFlow } from '../src/core/flow.js';

/**
 * "My data": a readable summary of what is stored, consent given later, answers changed,
 * surveys stopped, or everything erased (after two confirmations).
 */
export default defineFlow({
  id: 'privacy',
  version: 2,
  start: 'main',
  steps: {
    main: {
      prompt: 'privacy:main',
      vars: ['summary'],
      expect: choice(
        [
          { id: 'consent', when: 'notConsented' },
          { id: 'change', when: 'registered' },
          'export',
          { id: 'stop_surveys', when: 'surveysOn' },
          'erase',
          'menu',
        ],
        'privacy:choices',
      ),
      branches: { consent: 'flow:onboarding#privacy', change: 'flow:menu#signup', export: 'exported', stop_surveys: 'surveys_stopped', erase: 'confirm_erase', menu: 'flow:menu' },
    },
    exported: { prompt: 'privacy:exported', effects: ['exportMyData'], next: 'flow:menu' },
    surveys_stopped: { prompt: 'privacy:surveys_stopped', effects: ['stopSurveys'], next: 'flow:menu' },
    confirm_erase: {
      prompt: 'privacy:confirm_erase',
      expect: choice(['yes', 'no'], 'privacy:confirm_erase_choices'),
      branches: { yes: 'confirm_erase_again', no: 'flow:menu' },
    },
    confirm_erase_again: {
      prompt: 'privacy:confirm_erase_again',
      expect: choice(['yes', 'no'], 'privacy:confirm_erase_choices'),
      branches: { yes: 'erased', no: 'flow:menu' },
    },
    erased: { prompt: 'privacy:erased', effects: ['eraseMyData'], end: true },
  },
  migrations: [{ to: 2, why: 'erasing now asks twice, and the notice shows a summary of what is stored', migrate: (s) => s }],
});
