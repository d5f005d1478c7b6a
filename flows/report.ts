import { z } from 'zod';
import { choice, defineFlow, text } from '../src/core/flow.js';

/**
 * Reporting a problem, confidentially, at any time. The other person is never told by the bot;
 * danger now gets emergency guidance and makes the case urgent.
 */
export default defineFlow({
  id: 'report',
  version: 1,
  start: 'intro',
  steps: {
    intro: { prompt: 'report:intro', next: 'kind' },
    kind: {
      prompt: 'report:kind',
      expect: choice(['disrespect', 'harassment', 'discrimination', 'boundary', 'exploitation', 'minor', 'other'], 'report:kind_choices'),
      saveAs: 'reportKind',
      next: 'when',
    },
    when: { prompt: 'report:when', expect: choice(['today', 'this_week', 'earlier'], 'report:when_choices'), saveAs: 'happened', next: 'danger' },
    danger: { prompt: 'report:danger', expect: choice(['yes', 'no'], 'register:yes_no'), saveAs: 'danger', branches: { yes: 'emergency', no: 'describe' } },
    emergency: { prompt: 'common:crisis', next: 'describe' },
    describe: { prompt: 'report:describe', expect: text(z.string().trim().min(2).max(2000), 'report:describe_invalid'), saveAs: 'description', next: 'contact' },
    contact: { prompt: 'report:contact', expect: choice(['yes', 'no'], 'register:yes_no'), saveAs: 'contactOk', next: 'filed' },
    filed: { effects: ['openCase'], next: 'thanks' },
    thanks: { prompt: 'report:thanks', vars: ['caseReference'], next: 'flow:menu' },
  },
});
