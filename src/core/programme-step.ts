/**
 * Where a person is in the ten steps of the M4M model, from what Ponte knows of them:
 * 1 info day · 2 registration · 3 needs and baseline · 4 training (mentors) · 5 pre-matching ·
 * 6 formal matching · 7 sessions · 8 monitoring (feedback) · 9 supervision · 10 closure.
 * Steps 8 and 9 run alongside 7 and are not told apart here.
 */
export type ProgrammeStep = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 10;

export interface StepFacts {
  role: string | null;
  registered: boolean;
  hasNeeds: boolean;
  /** mentors: done | wanted | not_yet */
  training: string | null;
  /** statuses of the person's pairs, newest first */
  pairs: readonly string[];
}

export function programmeStep(f: StepFacts): ProgrammeStep {
  if (f.pairs.some((s) => s === 'active' || s === 'paused')) return 7;
  if (f.pairs.some((s) => s === 'agreed')) return 6;
  if (f.pairs.some((s) => s === 'consulting')) return 5;
  if (f.pairs[0] === 'ended') return 10;
  if (!f.role || f.role === 'visitor') return 1;
  if (!f.registered) return 2;
  if (f.role === 'mentee' && !f.hasNeeds) return 3;
  if (f.role === 'mentor' && f.training !== 'done') return 4;
  return 5;
}

export const programmeSteps = [1, 2, 3, 4, 5, 6, 7, 10] as const;
