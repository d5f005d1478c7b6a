import type { z } from 'zod';
import type { EffectName } from './effects/index.js';
import type { ConditionName, ChoiceSourceName, SearchName, VarName } from './conditions.js';
import type { SessionState } from './session.js';
import { FlowDefinitionError } from '../errors.js';

/**
 * Where a step leads: a step of the same flow (`ask_role`), another flow's start (`flow:menu`),
 * a step of another flow (`flow:menu#main`), or back to where the person was before a global
 * command interrupted them (`resume`).
 */
export type Target = string;

export interface ChoiceOptionDef {
  /** Stable id, short (it travels in Telegram's 64-byte callback data). */
  id: string;
  /** i18n key of the label. */
  label: string;
  /** Shown only when this condition holds for the person. */
  when?: ConditionName;
}

export type Expect =
  | { kind: 'choice'; options: readonly ChoiceOptionDef[] }
  | { kind: 'choice'; source: ChoiceSourceName }
  | { kind: 'text'; schema: z.ZodType<string>; invalid?: string };

export interface StepDef {
  /** i18n key of what the bot says at this step; a step without one acts silently. */
  prompt?: string;
  /** Named values the prompt interpolates. */
  vars?: readonly VarName[];
  /** What answer the step waits for; a step without one is a message and moves on at once. */
  expect?: Expect;
  /** Keep the answer (an option id or the text) in the flow's data under this name. */
  saveAs?: string;
  /**
   * A question with several answers: each option chosen is added to the list `data[collect]`
   * and the question is asked again, without what was already chosen, until `done`.
   */
  collect?: string;
  /** A text question the person may skip (with a skip word such as "skip"). */
  optional?: true;
  /** Free text that matches no option is looked up with this named search (e.g. the FAQ). */
  search?: SearchName;
  /** Named effects, run when the answer is accepted (or on arrival, for a message step). */
  effects?: readonly EffectName[];
  /** Where each answer id leads; `otherwise` catches the rest. */
  branches?: Readonly<Record<string, Target>>;
  next?: Target;
  /** The conversation rests here; the next message opens the menu. */
  end?: true;
  /** The step is only for people this condition holds for; the others go on to `skipTo` (or `next`) at once. */
  onlyIf?: ConditionName;
  skipTo?: Target;
}

/** Moves a session saved under an older flow version to the next version. */
export interface FlowMigration {
  to: number;
  /** Why the flow changed, in a sentence: kept beside the code that handles it. */
  why: string;
  migrate(session: SessionState): SessionState;
}

export interface FlowDef {
  id: string;
  version: number;
  /**
   * What a person's turn in this flow needs loaded beyond their own data (the processor loads
   * it only then: most turns need nothing more).
   */
  needs?: readonly ('infoDays' | 'pair' | 'slots')[];
  /**
   * The flow may be started from outside the person's own messages (a session offer, a survey, the
   * closure), through a `push` event in their queue; when done, they come back to where they were.
   */
  pushed?: true;
  start: string;
  steps: Readonly<Record<string, StepDef>>;
  migrations?: readonly FlowMigration[];
}

/** Declares a flow; the engine checks every flow's targets when it is built. */
export function defineFlow<const F extends FlowDef>(flow: F): F {
  return flow;
}

/** A choice question whose labels are `<labelPrefix>.<id>`. */
export function choice(ids: readonly (string | { id: string; when: ConditionName })[], labelPrefix: string): Expect {
  return {
    kind: 'choice',
    options: ids.map((o) => (typeof o === 'string' ? { id: o, label: `${labelPrefix}.${o}` } : { id: o.id, when: o.when, label: `${labelPrefix}.${o.id}` })),
  };
}

/** A choice question whose options come from a named source (such as the languages we speak). */
export function choiceFrom(source: ChoiceSourceName): Expect {
  return { kind: 'choice', source };
}

/** A free-text question checked with zod; `invalid` is the re-ask key when the check fails. */
export function text(schema: z.ZodType<string>, invalid?: string): Expect {
  return invalid ? { kind: 'text', schema, invalid } : { kind: 'text', schema };
}

/** A resolved target: which flow and step, or a resume. */
export type ResolvedTarget = { kind: 'step'; flowId: string; stepId: string } | { kind: 'resume' };

export function resolveTarget(target: Target, currentFlowId: string, flows: ReadonlyMap<string, FlowDef>): ResolvedTarget {
  if (target === 'resume') return { kind: 'resume' };
  if (target.startsWith('flow:')) {
    const [flowId, stepId] = target.slice('flow:'.length).split('#') as [string, string | undefined];
    const flow = flows.get(flowId);
    if (!flow) throw new FlowDefinitionError(`unknown flow "${flowId}" in target "${target}"`);
    const step = stepId ?? flow.start;
    if (!flow.steps[step]) throw new FlowDefinitionError(`unknown step "${step}" of flow "${flowId}"`);
    return { kind: 'step', flowId, stepId: step };
  }
  const flow = flows.get(currentFlowId);
  if (!flow?.steps[target]) throw new FlowDefinitionError(`unknown step "${target}" in flow "${currentFlowId}"`);
  return { kind: 'step', flowId: currentFlowId, stepId: target };
}

/**
 * Checks a set of flows once, when the engine is built: every target exists, every step either
 * waits, ends or moves on, and every choice option has somewhere to go.
 */
export function validateFlows(flows: ReadonlyMap<string, FlowDef>): void {
  for (const flow of flows.values()) {
    if (!flow.steps[flow.start]) throw new FlowDefinitionError(`flow "${flow.id}": start step "${flow.start}" does not exist`);
    for (const [stepId, step] of Object.entries(flow.steps)) {
      const where = `flow "${flow.id}" step "${stepId}"`;
      const targets = [...Object.values(step.branches ?? {}), ...(step.next ? [step.next] : []), ...(step.skipTo ? [step.skipTo] : [])];
      for (const target of targets) resolveTarget(target, flow.id, flows);
      if (!step.expect && !step.next && !step.end) throw new FlowDefinitionError(`${where}: a message step needs next or end`);
      if (step.onlyIf && !step.skipTo && !step.next) throw new FlowDefinitionError(`${where}: a step only for some people needs skipTo or next for the others`);
      if (step.expect?.kind === 'choice' && 'options' in step.expect && !step.next && !step.branches?.otherwise) {
        const missing = step.expect.options.find((o) => !step.branches?.[o.id]);
        if (missing) throw new FlowDefinitionError(`${where}: option "${missing.id}" leads nowhere`);
      }
      if (step.expect && !step.next && !step.branches && !step.end) throw new FlowDefinitionError(`${where}: the answer leads nowhere`);
    }
    for (const m of flow.migrations ?? []) {
      if (m.to > flow.version) throw new FlowDefinitionError(`flow "${flow.id}": migration to ${m.to} is newer than the flow (${flow.version})`);
    }
  }
}
