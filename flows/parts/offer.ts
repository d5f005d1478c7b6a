import { choice, type StepDef } from '../../src/core/flow.js';

/** Where a path ends for someone who cannot go on with it: a coordinator can help, or the menu. */
export function personOrMenu(prompt: string): StepDef {
  return { prompt, expect: choice(['person', 'menu'], 'register:stop_choices'), branches: { person: 'flow:handover', menu: 'flow:menu' } };
}
