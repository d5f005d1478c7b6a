import { choice, defineFlow, type StepDef } from '../src/core/flow.js';

/** The programme's questions answered in chat; each answer offers more, a person, or the menu. */
const topics = ['what', 'roles', 'how_long', 'meetings', 'where', 'cost', 'confidential', 'matching', 'leave'] as const;

const answers: Record<string, StepDef> = Object.fromEntries(
  topics.map((topic) => [
    `answer_${topic}`,
    {
      prompt: `faq:answer.${topic}`,
      expect: choice(['more', 'person', 'menu'], 'faq:after_choices'),
      branches: { more: 'topics', person: 'flow:handover', menu: 'flow:menu' },
    },
  ]),
);

export default defineFlow({
  id: 'faq',
  version: 1,
  start: 'topics',
  steps: {
    topics: {
      prompt: 'faq:topics',
      expect: choice(topics, 'faq:topic'),
      branches: Object.fromEntries(topics.map((topic) => [topic, `answer_${topic}`])),
    },
    ...answers,
  },
});
