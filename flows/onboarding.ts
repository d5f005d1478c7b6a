import { choice, choiceFrom, defineFlow } from '../src/core/flow.js';

/**
 * The first conversation: the language we guessed (confirmed or changed), the privacy notice
 * before any personal question, and what brings the person here.
 */
export default defineFlow({
  id: 'onboarding',
  version: 2,
  start: 'welcome',
  steps: {
    welcome: {
      prompt: 'onboarding:welcome',
      vars: ['languageName'],
      expect: choice(['yes', 'other'], 'onboarding:welcome_choices'),
      branches: { yes: 'language_confirmed', other: 'pick_language' },
    },
    language_confirmed: { effects: ['confirmLocale'], next: 'privacy' },
    pick_language: {
      prompt: 'common:language.pick',
      expect: choiceFrom('languagesFirst'),
      effects: ['setLocale'],
      branches: { more: 'pick_any_language', otherwise: 'privacy' },
    },
    pick_any_language: {
      prompt: 'common:language.pick',
      expect: choiceFrom('languages'),
      effects: ['setLocale'],
      next: 'privacy',
    },
    privacy: {
      prompt: 'onboarding:privacy',
      expect: choice(['agree', 'decline', 'more'], 'onboarding:privacy_choices'),
      branches: { agree: 'consent_given', decline: 'consent_declined', more: 'privacy_more' },
    },
    privacy_more: {
      prompt: 'onboarding:privacy_more',
      expect: choice(['agree', 'decline'], 'onboarding:privacy_choices'),
      branches: { agree: 'consent_given', decline: 'consent_declined' },
    },
    consent_given: { prompt: 'onboarding:consent_given', effects: ['grantConsent'], next: 'ask_role' },
    consent_declined: { prompt: 'onboarding:consent_declined', effects: ['declineConsent'], next: 'flow:menu' },
    ask_role: {
      prompt: 'onboarding:ask_role',
      expect: choice(['mentee', 'mentor', 'visitor'], 'onboarding:role_choices'),
      effects: ['setRole'],
      branches: { mentee: 'role_mentee', mentor: 'role_mentor', visitor: 'flow:menu' },
    },
    role_mentee: {
      prompt: 'onboarding:role_mentee',
      expect: choice(['now', 'later'], 'onboarding:signup_now_choices'),
      branches: { now: 'flow:register_mentee', later: 'flow:menu' },
    },
    role_mentor: {
      prompt: 'onboarding:role_mentor',
      expect: choice(['now', 'later'], 'onboarding:signup_now_choices'),
      branches: { now: 'flow:register_mentor', later: 'flow:menu' },
    },
  },
  migrations: [{ to: 2, why: 'after the role, the bot now offers to sign up at once; no step was renamed', migrate: (s) => s }],
});
