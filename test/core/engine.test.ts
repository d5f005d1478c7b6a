import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flows } from '../../flows/index.js';
import { localesDir } from '../../src/app.js';
import { createEngine, type Turn } from '../../src/core/engine.js';
import type { InboundContent } from '../../src/core/events.js';
import { choice, defineFlow, text } from '../../src/core/flow.js';
import { createTranslator } from '../../src/core/i18n.js';
import { FlowDefinitionError } from '../../src/errors.js';

const translator = createTranslator(localesDir, 'en');
const engine = createEngine({ flows, translator });
const now = new Date('2026-11-23T10:00:00Z');

/** Drives the engine like goflow's runner: inputs in, turns out, each turn feeding the next. */
function run(inputs: (InboundContent | string)[], localeHint?: string): Turn[] {
  const turns: Turn[] = [];
  let last: Turn | undefined;
  for (const input of inputs) {
    const content: InboundContent = typeof input === 'string' ? { kind: 'text', text: input } : input;
    last = engine.handle({ profile: last?.profile ?? null, session: last?.session ?? null, content, now, ...(localeHint ? { localeHint } : {}) });
    turns.push(last);
  }
  return turns;
}

const texts = (turn: Turn) => turn.out.map((m) => ('text' in m ? m.text : ''));
const start: InboundContent = { kind: 'command', name: 'start' };

describe('the first conversation', () => {
  it('greets a new person in the guessed language and asks to confirm it', () => {
    const [first] = run([start], 'pt-PT');
    expect(first!.profile.locale).toBe('pt');
    expect(first!.session).toMatchObject({ flowId: 'onboarding', stepId: 'welcome' });
    expect(first!.out[0]).toMatchObject({ kind: 'choices', locale: 'pt' });
    expect(texts(first!)[0]).toContain('Português');
  });

  it('falls back to the default language for a language it does not speak', () => {
    const [first] = run([start], 'sw-KE');
    expect(first!.profile.locale).toBe('en');
  });

  it('walks start → language → consent → role → menu, answered by numbers', () => {
    const turns = run([start, '1', '1', '1', '2']);
    const last = turns.at(-1)!;
    expect(last.profile).toMatchObject({ localeConfirmed: true, consent: 'granted', role: 'mentee' });
    expect(last.session).toMatchObject({ flowId: 'menu', stepId: 'main' });
    expect(texts(turns.at(-2)!).join('\n')).toContain('A mentor is a volunteer');
  });

  it('lets the person switch language at the first question and then speaks it', () => {
    const turns = run([start, '2', 'العربية']);
    const last = turns.at(-1)!;
    expect(last.profile.locale).toBe('ar');
    expect(last.session.stepId).toBe('privacy');
    expect(last.out[0]).toMatchObject({ locale: 'ar' });
    expect(texts(last)[0]).toMatch(/[\u0600-\u06FF]/);
  });

  it('keeps nothing personal when consent is declined, and leaves questions and a person open', () => {
    const turns = run([{ kind: 'command', name: 'start', payload: 'org-lisboa' }, '1', '2']);
    const last = turns.at(-1)!;
    expect(last.profile).toMatchObject({ consent: 'declined', role: null, source: null });
    expect(last.session.data.source).toBeUndefined();
    const menu = last.out.at(-1)!;
    expect(menu.kind === 'choices' && menu.choices.map((c) => c.id.split('.')[1])).toEqual(['faq', 'infodays', 'report', 'person', 'language', 'privacy']);
  });

  it('keeps the deep-link source once consent is given', () => {
    const last = run([{ kind: 'command', name: 'start', payload: 'org-lisboa' }, '1', '1']).at(-1)!;
    expect(last.profile.source).toBe('org-lisboa');
  });
});

describe('answers the bot cannot use', () => {
  it('re-asks kindly, then after three misses offers a person and the menu', () => {
    const turns = run([start, 'banana', 'what?', 'hmm']);
    // One message: the kind sorry, then the question with its options.
    expect(turns[1]!.out).toHaveLength(1);
    expect(turns[1]!.out[0]).toMatchObject({ kind: 'choices' });
    expect(texts(turns[1]!)[0]).toBe(`${translator.t('en', 'common:reask')}\n\n${texts(turns[0]!).at(-1)}`);
    expect(turns[1]!.session.misses).toBe(1);
    const offer = turns[3]!;
    expect(offer.session).toMatchObject({ flowId: 'help', stepId: 'offer', resume: { flowId: 'onboarding', stepId: 'welcome' } });
    const retry = run([start, 'banana', 'what?', 'hmm', '3']).at(-1)!;
    expect(retry.session).toMatchObject({ flowId: 'onboarding', stepId: 'welcome', misses: 0 });
  });

  it('says what it can read when a voice note arrives instead of an answer', () => {
    const turns = run([start, { kind: 'media', mediaKind: 'voice' }]);
    expect(turns[1]!.out).toHaveLength(1);
    expect(turns[1]!.out[0]).toMatchObject({ kind: 'choices' });
    expect(texts(turns[1]!)[0]!.split('\n\n')[0]).toBe(translator.t('en', 'common:cannot_read'));
  });

  it('recognises a button from an older question as stale and asks the current one', () => {
    const turns = run([start, '1']);
    const stale = engine.handle({ ...turns[1]!, content: { kind: 'choice', choiceId: '1.yes' }, now });
    expect(stale.out).toHaveLength(1);
    expect(texts(stale)[0]).toBe(`${translator.t('en', 'common:stale_choice')}\n\n${texts(turns[1]!).at(-1)}`);
    expect(stale.session.stepId).toBe('privacy');
    const current = engine.handle({ ...turns[1]!, content: { kind: 'choice', choiceId: `${turns[1]!.session.promptSeq}.agree` }, now });
    expect(current.profile.consent).toBe('granted');
  });
});

describe('global commands', () => {
  it('opens the menu from any step, by word in the person’s language', () => {
    const turns = run([start, '2', 'Português', 'menu']);
    expect(turns.at(-1)!.session).toMatchObject({ flowId: 'menu', stepId: 'main' });
    const ar = run([start, '2', 'العربية', 'القائمة']);
    expect(ar.at(-1)!.session.flowId).toBe('menu');
  });

  it('changes language mid-flow and returns to the same question', () => {
    const turns = run([start, '1', '/language', 'Português']);
    const last = turns.at(-1)!;
    expect(last.profile.locale).toBe('pt');
    expect(last.session).toMatchObject({ flowId: 'onboarding', stepId: 'privacy' });
    expect(texts(last).at(-1)).toBe(translator.t('pt', 'onboarding:privacy'));
  });

  it('answers help and asks the current question again', () => {
    const last = run([start, 'help']).at(-1)!;
    expect(texts(last)[0]).toBe(translator.t('en', 'common:help'));
    expect(last.session.stepId).toBe('welcome');
    expect(last.session.misses).toBe(0);
  });

  it('goes quiet on stop and resumes at the same step on the next message', () => {
    const stopped = run([start, '1', 'stop']).at(-1)!;
    expect(stopped.session.mode).toBe('stopped');
    const back = engine.handle({ ...stopped, content: { kind: 'text', text: 'hello' }, now });
    expect(back.session).toMatchObject({ mode: 'bot', stepId: 'privacy' });
    expect(texts(back)[0]).toBe(translator.t('en', 'common:welcome_back'));
  });
});

describe('talking to a person', () => {
  it('opens a handover, stays quiet while it lasts, and comes back on menu', () => {
    const opened = run([start, '1', '1', '3', '5', '1']).at(-1)!;
    expect(opened.session.mode).toBe('handover');
    expect(opened.actions).toContainEqual({ type: 'openHandover' });
    const quiet = engine.handle({ ...opened, content: { kind: 'text', text: 'I need help with my rent' }, now });
    expect(quiet.out).toEqual([]);
    expect(quiet.actions).toEqual([{ type: 'keepEvent' }]);
    const back = engine.handle({ ...opened, content: { kind: 'text', text: 'menu' }, now });
    expect(back.session).toMatchObject({ mode: 'bot', flowId: 'menu' });
    expect(back.actions).toContainEqual({ type: 'closeHandover' });
  });
});

describe('my data', () => {
  it('erases only after two confirmations', () => {
    const asked = run([start, '1', '1', '3', '7', '3']).at(-1)!;
    expect(asked.session.stepId).toBe('confirm_erase');
    expect(asked.actions).toEqual([]);
    const again = engine.handle({ ...asked, content: { kind: 'text', text: '1' }, now });
    expect(again.session.stepId).toBe('confirm_erase_again');
    expect(again.actions).toEqual([]);
    const erased = engine.handle({ ...again, content: { kind: 'text', text: '1' }, now });
    expect(erased.actions).toEqual([{ type: 'erasePerson' }]);
  });
});

describe('flow versions', () => {
  const v1 = defineFlow({
    id: 'onboarding',
    version: 1,
    start: 'ask_name',
    steps: {
      ask_name: { prompt: 'onboarding:ask_role', expect: text(z.string().min(1)), saveAs: 'name', next: 'done' },
      done: { prompt: 'onboarding:consent_given', end: true },
      privacy: { prompt: 'onboarding:privacy', end: true },
    },
  });
  const v2 = defineFlow({
    id: 'onboarding',
    version: 2,
    start: 'ask_preferred_name',
    steps: {
      ask_preferred_name: { prompt: 'onboarding:ask_role', expect: text(z.string().min(1)), saveAs: 'name', next: 'done' },
      done: { prompt: 'onboarding:consent_given', end: true },
      privacy: { prompt: 'onboarding:privacy', end: true },
    },
    migrations: [
      {
        to: 2,
        why: 'the name question now asks how the person wants to be called; the step was renamed',
        migrate: (s) => (s.stepId === 'ask_name' ? { ...s, stepId: 'ask_preferred_name' } : s),
      },
    ],
  });
  const others = flows.filter((f) => f.id !== 'onboarding');

  it('moves a person waiting on an old version to the new step, keeping their place', async () => {
    const fixture = (await import('../fixtures/flow-migrations/onboarding-v2.json', { with: { type: 'json' } })).default;
    const old = createEngine({ flows: [v1, ...others], translator });
    const waiting = old.handle({ profile: null, session: null, content: start, now });
    expect(waiting.session).toMatchObject(fixture.original);
    const current = createEngine({ flows: [v2, ...others], translator });
    const resumed = current.handle({ ...waiting, content: { kind: 'text', text: 'Amira' }, now });
    expect(resumed.session.data).toEqual({ name: 'Amira' });
    expect({ flowId: resumed.session.flowId, flowVersion: resumed.session.flowVersion }).toEqual({ flowId: fixture.migrated.flowId, flowVersion: fixture.migrated.flowVersion });
  });

  it('restarts a flow kindly when a session points at a step that no longer exists', () => {
    const current = createEngine({ flows: [{ ...v2, migrations: [] }, ...others], translator });
    const old = createEngine({ flows: [v1, ...others], translator });
    const waiting = old.handle({ profile: null, session: null, content: start, now });
    const resumed = current.handle({ ...waiting, content: { kind: 'text', text: 'Amira' }, now });
    expect(texts(resumed)[0]).toBe(translator.t('en', 'common:flow_changed'));
    expect(resumed.session).toMatchObject({ flowVersion: 2, stepId: 'ask_preferred_name' });
  });
});

describe('flow definitions are checked when the engine is built', () => {
  const base = flows.filter((f) => f.id !== 'language');
  it('rejects a branch to a step that does not exist', () => {
    const broken = defineFlow({
      id: 'language',
      version: 1,
      start: 'pick',
      steps: { pick: { prompt: 'menu:main', expect: choice(['faq'], 'menu:choices'), branches: { faq: 'nowhere' } } },
    });
    expect(() => createEngine({ flows: [...base, broken], translator })).toThrow(FlowDefinitionError);
  });

  it('rejects a choice option that leads nowhere', () => {
    const broken = defineFlow({
      id: 'language',
      version: 1,
      start: 'pick',
      steps: { pick: { prompt: 'menu:main', expect: choice(['faq', 'person'], 'menu:choices'), branches: { faq: 'flow:faq' } } },
    });
    expect(() => createEngine({ flows: [...base, broken], translator })).toThrow(/option "person" leads nowhere/);
  });

  it('stops a loop of message steps instead of spinning', () => {
    const loop = defineFlow({
      id: 'language',
      version: 1,
      start: 'a',
      steps: { a: { prompt: 'menu:main', next: 'b' }, b: { prompt: 'menu:main', next: 'a' } },
    });
    const looping = createEngine({ flows: [...base, loop], translator });
    const turns = run([start, '1', '2']);
    expect(() => looping.handle({ ...turns.at(-1)!, content: { kind: 'text', text: '/language' }, now })).toThrow(FlowDefinitionError);
  });
});
