import { choice, defineFlow, type StepDef } from '../src/core/flow.js';

/**
 * The programme's questions answered in chat, from the M4M guide's FAQ. A person picks a topic
 * or types their question in their own words (matched against each topic's words); each answer
 * offers another question, a person, or the menu.
 */
const topics = ['what', 'roles', 'steps', 'how_long', 'meetings', 'where', 'mentor_role', 'cost', 'confidential', 'matching', 'report', 'leave'] as const;

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
  version: 2,
  start: 'topics',
  steps: {
    topics: {
      prompt: 'faq:topics',
      expect: choice(topics, 'faq:topic'),
      search: 'faq',
      branches: Object.fromEntries(topics.map((topic) => [topic, `answer_${topic}`])),
    },
    ...answers,
  },
  migrations: [{ to: 2, why: 'three topics were added and free-text search; the steps kept their names', migrate: (s) => s }],
});
