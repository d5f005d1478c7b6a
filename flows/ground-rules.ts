import { choice, defineFlow } from '../src/core/flow.js';

/**
 * Once a match is confirmed (M4M step 6), each side reads the ground rules and the code of ethics
 * and agrees to them in chat; a question goes to a person first.
 */
export default defineFlow({
  id: 'ground_rules',
  version: 1,
  pushed: true,
  start: 'rules',
  steps: {
    rules: { prompt: 'consultation:ground_rules', next: 'ask' },
    ask: {
      prompt: 'consultation:rules_ask',
      expect: choice(['agree', 'question'], 'consultation:rules_choices'),
      branches: { agree: 'agreed', question: 'flow:handover' },
    },
    agreed: { prompt: 'consultation:rules_thanks', effects: ['acknowledgeRules'], next: 'resume' },
  },
});
