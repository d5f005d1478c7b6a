import { choice, defineFlow, type StepDef } from '../src/core/flow.js';

/** A Likert 1–4 self-assessment of `count` statements, kept as the baseline for the final one. */
function assessment(role: 'mentee' | 'mentor', count: number) {
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
  return defineFlow({
    id: `assessment_${role}`,
    version: 1,
    start: 'intro',
    steps: {
      intro: { prompt: 'assessment:intro', next: 'q1' },
      ...questions,
      saved: { prompt: 'assessment:saved', effects: ['saveBaselineAssessment'], next: 'flow:menu' },
    },
  });
}

export const menteeAssessment = assessment('mentee', 4);
export const mentorAssessment = assessment('mentor', 4);
