import { describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { resolveTarget, type StepDef } from '../../src/core/flow.js';

const byId = new Map(flows.map((f) => [f.id, f]));
const key = (flowId: string, stepId: string) => `${flowId}#${stepId}`;

/** Where a step can lead: its branches and next, resolved; `resume` may lead back anywhere, so it counts as the menu. */
function edges(flowId: string, step: StepDef): string[] {
  const targets = [...Object.values(step.branches ?? {}), ...(step.next ? [step.next] : [])];
  return targets.map((target) => {
    const r = resolveTarget(target, flowId, byId);
    return r.kind === 'resume' ? 'menu#main' : key(r.flowId, r.stepId);
  });
}

const graph = new Map<string, string[]>();
for (const flow of flows) for (const [stepId, step] of Object.entries(flow.steps)) graph.set(key(flow.id, stepId), edges(flow.id, step));

/** The steps from which a person reaches the menu or a person by answering questions. */
function reachesHelp(): Set<string> {
  const good = new Set(['menu#main', 'handover#confirm']);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [node, next] of graph) {
      const step = byId.get(node.split('#')[0]!)!.steps[node.split('#')[1]!]!;
      // A resting step (`end`) hands the next message to the menu.
      if (!good.has(node) && (step.end || next.some((n) => good.has(n)))) {
        good.add(node);
        changed = true;
      }
    }
  }
  return good;
}

describe('no dead ends', () => {
  it('leads from every step of every flow to the menu or to a person', () => {
    const good = reachesHelp();
    const stuck = [...graph.keys()].filter((node) => !good.has(node));
    expect(stuck).toEqual([]);
  });

  it('gives every option of every question somewhere to go', () => {
    for (const flow of flows) {
      for (const [stepId, step] of Object.entries(flow.steps)) {
        if (step.expect?.kind !== 'choice' || !('options' in step.expect)) continue;
        for (const option of step.expect.options) {
          const target = step.branches?.[option.id] ?? step.branches?.otherwise ?? step.next ?? (step.collect && option.id !== 'done' ? 'self' : undefined);
          expect(target, `${flow.id}#${stepId} option ${option.id}`).toBeDefined();
        }
      }
    }
  });

  it('lets people go back, reach the menu and a person from any question (global commands)', async () => {
    const { commandNames } = await import('../../src/core/commands.js');
    expect(commandNames).toEqual(expect.arrayContaining(['menu', 'back', 'report', 'help']));
  });
});
