import { choice, defineFlow, type StepDef } from '../src/core/flow.js';

/** The monthly micro-survey's statements per role (Likert 1–4), from the M4M guide's monitoring. */
export const surveyQuestions = { mentee: ['q1', 'q2', 'q3'], mentor: ['q1', 'q2', 'q3'] } as const;

/**
 * The monthly micro-survey (M4M step 9): three statements for the person's role, then whether they
 * would like the coordinator to get in touch. Pushed once a month (flow `survey_<role>`); a
 * person who asked for no surveys is never sent one.
 */
function survey(role: 'mentee' | 'mentor') {
  const ids = surveyQuestions[role];
  const questions: Record<string, StepDef> = Object.fromEntries(
    ids.map((q, i) => [
      q,
      { prompt: `surveys:${role}.${q}`, expect: choice(['1', '2', '3', '4'], 'surveys:scale'), saveAs: `survey_${q}`, next: ids[i + 1] ?? 'coordinator' },
    ]),
  );
  return defineFlow({
    id: `survey_${role}`,
    version: 1,
    pushed: true,
    start: 'intro',
    steps: {
      intro: { prompt: 'surveys:intro', expect: choice(['start', 'later'], 'surveys:intro_choices'), branches: { start: ids[0], later: 'later' } },
      ...questions,
      coordinator: { prompt: 'surveys:coordinator', expect: choice(['yes', 'no'], 'surveys:yes_no'), saveAs: 'needsCoordinator', next: 'thanks' },
      thanks: { prompt: 'surveys:thanks', effects: ['saveSurvey'], next: 'resume' },
      later: { prompt: 'surveys:later', next: 'resume' },
    },
  });
}

export const menteeSurvey = survey('mentee');
export const mentorSurvey = survey('mentor');
