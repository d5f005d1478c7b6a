import { choice, defineFlow } from '../src/core/flow.js';

/** The main menu, per person: what they can do next. Where every finished flow and `menu` lead. */
export default defineFlow({
  id: 'menu',
  version: 3,
  // Choosing "Info days" here shows the list at once, and "My sessions" the pair's sessions.
  needs: ['infoDays', 'pair'],
  start: 'main',
  steps: {
    main: {
      prompt: 'menu:main',
      expect: choice(
        [{ id: 'sessions', when: 'inPair' }, { id: 'signup', when: 'canRegister' }, { id: 'needs', when: 'registeredMentee' }, 'faq', 'infodays', 'report', 'person', 'language', 'privacy'],
        'menu:choices',
      ),
      branches: {
        signup: 'signup',
        sessions: 'flow:sessions',
        needs: 'flow:needs',
        faq: 'flow:faq',
        infodays: 'flow:infodays',
        report: 'flow:report',
        person: 'flow:handover',
        language: 'flow:language',
        privacy: 'flow:privacy',
      },
    },
    signup: {
      prompt: 'menu:signup',
      expect: choice(['mentee', 'mentor', 'menu'], 'menu:signup_choices'),
      branches: { mentee: 'flow:register_mentee', mentor: 'flow:register_mentor', menu: 'main' },
    },
  },
  migrations: [
    {
      to: 2,
      why: 'signing up now asks whether to find or to be a mentor; the old signup step offered only a coordinator',
      migrate: (s) => s,
    },
    { to: 3, why: 'people in an active pair get "My sessions" first; no step was renamed', migrate: (s) => s },
  ],
});
