import { choiceFrom, defineFlow } from '../src/core/flow.js';

/** Changing the language at any time (the `language` command): then back to where the person was. */
export default defineFlow({
  id: 'language',
  version: 1,
  start: 'pick',
  steps: {
    pick: { prompt: 'common:language.pick', expect: choiceFrom('languagesFirst'), effects: ['setLocale'], branches: { more: 'pick_any', otherwise: 'changed' } },
    pick_any: { prompt: 'common:language.pick', expect: choiceFrom('languages'), effects: ['setLocale'], next: 'changed' },
    changed: { prompt: 'common:language.changed', vars: ['languageName'], next: 'resume' },
  },
});
