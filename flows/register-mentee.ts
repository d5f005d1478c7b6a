import { choice, defineFlow } from '../src/core/flow.js';
import { basicSteps } from './parts/basics.js';

/** Mentee registration: only what matching needs, then the needs intake. */
export default defineFlow({
  id: 'register_mentee',
  version: 1,
  start: 'intro',
  steps: {
    intro: { prompt: 'register:intro_mentee', next: 'age' },
    ...basicSteps({ next: 'pref_gender', adultsOnly: false }),
    pref_gender: { prompt: 'register:pref_gender', expect: choice(['woman', 'man', 'any'], 'register:pref_gender_choices'), saveAs: 'prefGender', next: 'pref_language' },
    pref_language: { prompt: 'register:pref_language', expect: choice(['yes', 'no'], 'register:yes_no'), saveAs: 'prefSameLanguage', next: 'heard' },
    heard: {
      prompt: 'register:heard',
      expect: choice(['friend', 'organisation', 'info_day', 'social', 'other'], 'register:heard_choices'),
      saveAs: 'heardFrom',
      next: 'saved',
    },
    saved: { prompt: 'register:mentee_saved', effects: ['saveMenteeRegistration'], next: 'flow:needs' },
  },
});
