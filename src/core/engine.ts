import { FlowDefinitionError } from '../errors.js';
import { mentionsCrisis, recogniseCommand, normalise, type Command } from './commands.js';
import { choiceSources, conditions, searches, vars } from './conditions.js';
import { ConsultRequest } from './consultation.js';
import { effects, type Action } from './effects/index.js';
import { emptyContext, type TurnContext } from './context.js';
import type { InboundContent, OutboundMessage } from './events.js';
import { resolveTarget, validateFlows, type FlowDef, type StepDef, type Target } from './flow.js';
import type { Translator } from './i18n.js';
import { guessLocale } from './language.js';
import { newProfile, type Profile, type SessionState } from './session.js';

/** The flow every new person starts in, and the one every finished flow returns to. */
export const FIRST_FLOW = 'onboarding';
export const MENU_FLOW = 'menu';
const LANGUAGE_FLOW = 'language';
const HELP_OFFER = 'flow:help#offer';
/** Asks a person about a match a coordinator proposed (`consult` from the inbox). */
const CONSULTATION_FLOW = 'consultation';
/** A flow pushed at a person (feedback, a survey) holds later ones back this long at most. */
const PUSH_WAITS_MS = 24 * 3600_000;
/** Unreadable answers in a row before the bot offers a person and the menu instead of asking again. */
const MAX_MISSES = 3;
/** Answered questions remembered for `back`. */
const MAX_HISTORY = 10;
/** The option that ends a several-answers question. */
const DONE = 'done';

export interface TurnInput {
  profile: Profile | null;
  session: SessionState | null;
  content: InboundContent;
  localeHint?: string;
  now: Date;
  /** What the turn may need from outside the person (upcoming info days, the time zone). */
  context?: TurnContext;
}

/** What one inbound event changed: the drafts to save, the messages to queue, the actions to carry out. */
export interface Turn {
  profile: Profile;
  session: SessionState;
  out: OutboundMessage[];
  actions: Action[];
  /** Read-only: what the processor loaded for this turn. */
  context: TurnContext;
}

export interface Engine {
  readonly flows: ReadonlyMap<string, FlowDef>;
  handle(input: TurnInput): Turn;
}

export interface EngineOptions {
  flows: readonly FlowDef[];
  translator: Translator;
  /** Message steps in a row before the engine calls the flow broken (a loop without a question). */
  maxStepsPerTurn?: number;
}

type Answer =
  | { kind: 'ok'; id: string | undefined; value: string }
  | { kind: 'stale' }
  | { kind: 'unreadable' }
  | { kind: 'invalid'; reask?: string };

/**
 * Builds the conversation engine once. It holds no per-person state: every call gets the
 * person's profile and session and returns new ones, so it is the same on every instance.
 */
export function createEngine({ flows: flowList, translator: t, maxStepsPerTurn = 25 }: EngineOptions): Engine {
  const flows = new Map(flowList.map((f) => [f.id, f]));
  for (const required of [FIRST_FLOW, MENU_FLOW, LANGUAGE_FLOW, 'help']) {
    if (!flows.has(required)) throw new FlowDefinitionError(`the "${required}" flow is required`);
  }
  validateFlows(flows);

  function stepOf(s: SessionState): StepDef | undefined {
    return s.stepId ? flows.get(s.flowId)?.steps[s.stepId] : undefined;
  }

  function collected(step: StepDef, session: SessionState): string[] {
    const list = step.collect ? session.data[step.collect] : undefined;
    return Array.isArray(list) ? list.map(String) : [];
  }

  function optionsOf(step: StepDef, turn: Turn): { id: string; label: string }[] {
    const { profile, session, context } = turn;
    const expect = step.expect;
    if (expect?.kind !== 'choice') return [];
    const chosen = new Set(collected(step, session));
    const all =
      'source' in expect
        ? choiceSources[expect.source](profile, t, context)
        : expect.options
            .filter((o) => !o.when || conditions[o.when](profile, session, context))
            .map((o) => ({ id: o.id, label: t.t(profile.locale, o.label) }));
    // Nothing chosen yet: "that's all" would end the question with no answer.
    return all.filter((o) => !chosen.has(o.id) && (o.id !== DONE || !step.collect || chosen.size > 0));
  }

  /** Moves a session saved under an older version of its flow onto the current one. */
  function migrate(session: SessionState, turn: Turn): void {
    const flow = flows.get(session.flowId);
    if (!flow) {
      // The flow was removed: start the person again at the menu, kindly.
      say(turn, 'common:flow_changed');
      goto(turn, `flow:${MENU_FLOW}`);
      return;
    }
    if (session.flowVersion === flow.version) return;
    let migrated = session;
    for (const m of [...(flow.migrations ?? [])].sort((a, b) => a.to - b.to)) {
      if (m.to > migrated.flowVersion) migrated = { ...m.migrate(migrated), flowVersion: m.to };
    }
    Object.assign(turn.session, migrated, { flowVersion: flow.version });
    if (turn.session.stepId && !flow.steps[turn.session.stepId]) {
      say(turn, 'common:flow_changed');
      goto(turn, `flow:${flow.id}`);
    }
  }

  function say(turn: Turn, key: string, values?: Record<string, string | number>): void {
    turn.out.push({ kind: 'text', locale: turn.profile.locale, text: t.t(turn.profile.locale, key, values) });
  }

  /**
   * Says the step's prompt; a question gets a new prompt number and its options. A `lead` (a
   * kind sorry, why it is asked again) opens the same message: one message on the phone, not two.
   */
  function prompt(turn: Turn, step: StepDef, leadKey?: string): void {
    const { profile, session } = turn;
    const lead = leadKey ? t.t(profile.locale, leadKey) : undefined;
    if (!step.prompt) {
      if (lead) turn.out.push({ kind: 'text', locale: profile.locale, text: lead });
      return;
    }
    const values = Object.fromEntries((step.vars ?? []).map((v) => [v, vars[v](profile, t, session, turn.context)]));
    const again = collected(step, session).length > 0;
    const question = again ? t.t(profile.locale, 'common:collect_more') : t.t(profile.locale, step.prompt, values);
    const text = lead ? `${lead}\n\n${question}` : question;
    if (step.expect?.kind === 'choice') {
      session.promptSeq += 1;
      const choices = optionsOf(step, turn).map((o) => ({ id: `${session.promptSeq}.${o.id}`, label: o.label }));
      turn.out.push({ kind: 'choices', locale: profile.locale, text, choices });
    } else {
      if (step.expect) session.promptSeq += 1;
      turn.out.push({ kind: 'text', locale: profile.locale, text });
    }
  }

  function runEffects(turn: Turn, step: StepDef, answer: string | undefined, now: Date): void {
    for (const name of step.effects ?? []) {
      effects[name]({ profile: turn.profile, session: turn.session, context: turn.context, answer, now, said: turn.out.length, act: (a) => turn.actions.push(a) });
    }
  }

  /** Follows a target through message steps until a question waits or the flow rests. */
  function goto(turn: Turn, target: Target, now = new Date()): void {
    let next: Target | undefined = target;
    for (let n = 0; next !== undefined; n += 1) {
      if (n >= maxStepsPerTurn) throw new FlowDefinitionError(`more than ${maxStepsPerTurn} steps without a question, from "${target}"`);
      const resolved = resolveTarget(next, turn.session.flowId, flows);
      if (resolved.kind === 'resume') {
        const waiting = Array.isArray(turn.session.data.pushQueue) ? (turn.session.data.pushQueue as { flowId?: unknown }[]) : [];
        const queued = waiting.shift();
        if (waiting.length === 0) delete turn.session.data.pushQueue;
        if (queued && typeof queued.flowId === 'string' && flows.get(queued.flowId)?.pushed) {
          turn.session.data.push = queued as never;
          turn.session.data.pushedAt = now.toISOString();
          next = `flow:${queued.flowId}`;
          continue;
        }
        const back = turn.session.resume;
        delete turn.session.resume;
        next = back && flows.get(back.flowId)?.steps[back.stepId] ? `flow:${back.flowId}#${back.stepId}` : `flow:${MENU_FLOW}`;
        continue;
      }
      const flow = flows.get(resolved.flowId)!;
      const step = flow.steps[resolved.stepId]!;
      Object.assign(turn.session, { flowId: flow.id, flowVersion: flow.version, stepId: resolved.stepId, misses: 0 });
      if (step.onlyIf && !conditions[step.onlyIf](turn.profile, turn.session, turn.context)) {
        next = step.skipTo ?? step.next;
        continue;
      }
      prompt(turn, step);
      if (step.expect) return;
      runEffects(turn, step, undefined, now);
      if (turn.session.mode !== 'bot') return;
      if (step.end) {
        turn.session.stepId = null;
        return;
      }
      next = step.next;
    }
  }

  function reprompt(turn: Turn): void {
    const step = stepOf(turn.session);
    if (step) prompt(turn, step);
    else goto(turn, `flow:${MENU_FLOW}`);
  }

  function parseAnswer(step: StepDef, content: InboundContent, turn: Turn): Answer {
    const expect = step.expect!;
    if (expect.kind === 'choice') {
      const options = optionsOf(step, turn);
      if (content.kind === 'choice') {
        const [seq, id] = content.choiceId.split(/\.(.*)/s) as [string, string | undefined];
        if (Number(seq) !== turn.session.promptSeq || !options.some((o) => o.id === id)) return { kind: 'stale' };
        return { kind: 'ok', id, value: id! };
      }
      if (content.kind !== 'text') return { kind: 'unreadable' };
      const typed = normalise(content.text);
      const byNumber = /^\d{1,2}$/.test(typed) ? options[Number(typed) - 1] : undefined;
      const match = byNumber ?? options.find((o) => normalise(o.label) === typed || o.id === typed);
      if (match) return { kind: 'ok', id: match.id, value: match.id };
      const found = step.search ? searches[step.search](content.text, options.map((o) => o.id), turn.profile, t) : undefined;
      return found ? { kind: 'ok', id: found, value: found } : { kind: 'invalid' };
    }
    if (content.kind !== 'text') return { kind: 'unreadable' };
    if (step.optional && t.t(turn.profile.locale, 'common:skip_words').split(',').map(normalise).concat('skip').includes(normalise(content.text))) {
      return { kind: 'ok', id: 'skip', value: '' };
    }
    const parsed = expect.schema.safeParse(content.text);
    return parsed.success ? { kind: 'ok', id: undefined, value: parsed.data } : expect.invalid ? { kind: 'invalid', reask: expect.invalid } : { kind: 'invalid' };
  }

  function runCommand(turn: Turn, command: Command, now: Date): void {
    const { session, profile } = turn;
    switch (command.name) {
      case 'start':
        if (command.payload) session.data.source = command.payload;
        if (profile.consent === 'granted' && typeof session.data.source === 'string') {
          profile.source = session.data.source;
          delete session.data.source;
        }
        goto(turn, profile.consent ? `flow:${MENU_FLOW}` : `flow:${FIRST_FLOW}`, now);
        return;
      case 'menu':
        goto(turn, `flow:${MENU_FLOW}`, now);
        return;
      case 'language':
        if (session.stepId && session.flowId !== LANGUAGE_FLOW) session.resume = { flowId: session.flowId, stepId: session.stepId };
        goto(turn, `flow:${LANGUAGE_FLOW}`, now);
        return;
      case 'back': {
        const previous = session.history?.pop();
        if (previous && flows.get(previous.flowId)?.steps[previous.stepId]) goto(turn, `flow:${previous.flowId}#${previous.stepId}`, now);
        else reprompt(turn);
        return;
      }
      case 'report':
        goto(turn, 'flow:report', now);
        return;
      case 'help':
        say(turn, 'common:help');
        reprompt(turn);
        return;
      case 'stop':
        if (session.mode === 'handover') turn.actions.push({ type: 'closeHandover' });
        session.mode = 'stopped';
        say(turn, 'common:stopped');
        return;
    }
  }

  /**
   * Before an interruption that did not come from the person (the consultation): where to come
   * back to once it is answered. A resume point already kept (the person was in the language
   * picker or the help offer) wins, being where their own business was; the consultation never
   * resumes into itself.
   */
  function keepResumePoint(session: SessionState): void {
    if (session.resume || !session.stepId || session.flowId === CONSULTATION_FLOW || flows.get(session.flowId)?.pushed) return;
    session.resume = { flowId: session.flowId, stepId: session.stepId };
  }

  /** A coordinator's action from the inbox, in the person's queue like any message of theirs. */
  function runSystem(turn: Turn, event: Extract<InboundContent, { kind: 'system' }>, now: Date): void {
    const { session } = turn;
    switch (event.name) {
      case 'handback':
        if (session.mode !== 'handover') return;
        session.mode = 'bot';
        turn.actions.push({ type: 'closeHandover' });
        say(turn, 'common:handover_closed');
        goto(turn, `flow:${MENU_FLOW}`, now);
        return;
      case 'consult': {
        // Built by the inbox, never by a person: data of another shape is a bug there, and
        // asking nothing is safer than asking about the wrong pair.
        const request = ConsultRequest.safeParse(event.data);
        if (!request.success) return;
        const { pairId, side } = request.data;
        if (session.mode !== 'bot') {
          // With a coordinator, or asked for quiet: the question is not pushed at them; the
          // pair's page says why, and the coordinator asks again later.
          turn.actions.push({ type: 'consultation', pairId, side, answer: 'not_asked', mode: session.mode });
          return;
        }
        keepResumePoint(session);
        session.data.consult = request.data;
        turn.actions.push({ type: 'consultation', pairId, side, answer: 'asked' });
        goto(turn, `flow:${CONSULTATION_FLOW}`, now);
        return;
      }
      case 'push': {
        // A session offer, feedback, a survey, the closure. With a coordinator, or asked for
        // quiet: not pushed at them (the scheduler has recorded its job; the inbox shows the rest).
        const flowId = typeof event.data?.flowId === 'string' ? event.data.flowId : '';
        if (!flows.get(flowId)?.pushed || session.mode !== 'bot') return;
        const startedAt = Date.parse(String(session.data.pushedAt ?? ''));
        if (flows.get(session.flowId)?.pushed && session.stepId && now.getTime() - startedAt < PUSH_WAITS_MS) {
          // In the middle of another (a survey during the feedback): this one waits its turn. One
          // left unanswered for a day no longer holds the next back.
          session.data.pushQueue = [...(Array.isArray(session.data.pushQueue) ? session.data.pushQueue : []), event.data!] as never;
          return;
        }
        keepResumePoint(session);
        session.data.push = event.data;
        session.data.pushedAt = now.toISOString();
        goto(turn, `flow:${flowId}`, now);
        return;
      }
    }
  }

  function handle(input: TurnInput): Turn {
    const { content, now } = input;
    const isNew = !input.session || !input.profile;
    const profile: Profile = input.profile
      ? { ...input.profile }
      : newProfile(guessLocale(input.localeHint, t.locales, t.defaultLocale));
    const session: SessionState = input.session
      ? structuredClone(input.session)
      : { flowId: FIRST_FLOW, flowVersion: flows.get(FIRST_FLOW)!.version, stepId: null, mode: 'bot', misses: 0, promptSeq: 0, data: {} };
    const turn: Turn = { profile, session, out: [], actions: [], context: input.context ?? emptyContext };

    if (isNew) {
      if (content.kind === 'command' && content.name === 'start' && content.payload) session.data.source = content.payload;
      goto(turn, `flow:${FIRST_FLOW}`, now);
      return turn;
    }
    migrate(session, turn);
    if (turn.out.length > 0) return turn;
    if (content.kind === 'system') {
      runSystem(turn, content, now);
      return turn;
    }
    // A reaction (👍 on one of our messages) is not an answer: nothing to say back.
    if (content.kind === 'media' && content.mediaKind === 'reaction') return turn;

    if (mentionsCrisis(content, profile.locale, t)) {
      // Safety first, in any mode: emergency guidance at once and an urgent item for a person.
      say(turn, 'common:crisis');
      turn.actions.push({ type: 'openCrisis' });
    }
    const command = recogniseCommand(content, profile.locale, t);
    if (session.mode === 'stopped') {
      if (command?.name === 'stop') {
        say(turn, 'common:stopped');
        return turn;
      }
      session.mode = 'bot';
      say(turn, 'common:welcome_back');
      if (command) runCommand(turn, command, now);
      else reprompt(turn);
      return turn;
    }
    if (session.mode === 'handover') {
      if (command?.name === 'menu' || command?.name === 'start') {
        session.mode = 'bot';
        turn.actions.push({ type: 'closeHandover' });
        say(turn, 'common:handover_closed');
        goto(turn, `flow:${MENU_FLOW}`, now);
      } else if (command?.name === 'stop') {
        runCommand(turn, command, now);
      } else {
        // A coordinator has the conversation: the bot stays quiet and keeps the message for them.
        turn.actions.push({ type: 'keepEvent' });
      }
      return turn;
    }
    if (command) {
      runCommand(turn, command, now);
      return turn;
    }

    const step = stepOf(session);
    if (!step?.expect) {
      goto(turn, `flow:${MENU_FLOW}`, now);
      return turn;
    }
    const answer = parseAnswer(step, content, turn);
    if (answer.kind === 'stale') {
      prompt(turn, step, 'common:stale_choice');
      return turn;
    }
    if (answer.kind === 'unreadable' || answer.kind === 'invalid') {
      session.misses += 1;
      if (session.misses >= MAX_MISSES) {
        session.resume = { flowId: session.flowId, stepId: session.stepId! };
        goto(turn, HELP_OFFER, now);
        return turn;
      }
      prompt(turn, step, answer.kind === 'unreadable' ? 'common:cannot_read' : (answer.reask ?? 'common:reask'));
      return turn;
    }
    session.history = [...(session.history ?? []), { flowId: session.flowId, stepId: session.stepId! }].slice(-MAX_HISTORY);
    if (step.collect && answer.id !== DONE) {
      session.data[step.collect] = [...collected(step, session), answer.value];
      // Every option taken: nothing left to add, so the question ends as if "done" was chosen.
      if (optionsOf(step, turn).some((o) => o.id !== DONE)) {
        prompt(turn, step);
        return turn;
      }
    }
    if (step.saveAs) session.data[step.saveAs] = answer.value;
    runEffects(turn, step, answer.value, now);
    if (session.mode !== 'bot') return turn;
    const target = (answer.id !== undefined ? step.branches?.[answer.id] : undefined) ?? step.branches?.otherwise ?? step.next;
    if (target) goto(turn, target, now);
    else session.stepId = null;
    return turn;
  }

  return { flows, handle };
}
