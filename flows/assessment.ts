import { choice, defineFlow, type StepDef } from '../src/core/flow.js';

/**
 * A Likert 1–4 self-assessment of `count` statements: the baseline at registration, and the same
 * statements again at closure (the final one, compared with it), followed there by what next.
 */
function assessment(role: 'mentee' | 'mentor', count: number, kind: 'baseline' | 'final') {
  const questions: Record<string, StepDef> = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `q${i + 1}`,
      {
        prompt: `assessment:${role}.q${i + 1}`,
        expect: choice(['1', '2', '3', '4'], 'assessment:scale'),
        saveAs: `q${i + 1}`,
        next: i + 1 < count ? `q${i + 2}` : 'saved',
      },
    ]),
  );
  const end: Record<string, StepDef> =
    kind === 'baseline'
      ? { saved: { prompt: 'assessment:saved', effects: ['saveBaselineAssessment'], next: 'flow:menu' } }
      : {
          saved: { prompt: 'closure:assessment_saved', effects: ['saveFinalAssessment'], next: 'what_next' },
          what_next: {
            prompt: 'closure:what_next',
            expect: choice(['extend', 'new', 'finish'], 'closure:what_next_choices'),
            saveAs: 'closureChoice',
            branches: { extend: 'extend', new: 'new', finish: 'finish' },
          },
          extend: { prompt: 'closure:extend', effects: ['closureChoice'], next: 'flow:menu' },
          new: { prompt: 'closure:new', effects: ['closureChoice'], next: 'flow:menu' },
          finish: { prompt: 'closure:finish', effects: ['closureChoice'], next: 'flow:menu' },
        };
  return defineFlow({
    id: kind === 'baseline' ? `assessment_${role}` : `final_${role}`,
    version: 1,
    start: 'intro',
    steps: {
      intro: { prompt: kind === 'baseline' ? 'assessment:intro' : 'closure:assessment_intro', next: 'q1' },
      ...questions,
      ...end,
    },
  });
}

export const menteeAssessment = assessment('mentee', 4, 'baseline');
export const mentorAssessment = assessment('mentor', 4, 'baseline');
export const menteeFinalAssessment = assessment('mentee', 4, 'final');
export const mentorFinalAssessment = assessment('mentor', 4, 'final');
