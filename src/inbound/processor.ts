import type { TurnContext } from '../core/context.js';
import { vars } from '../core/conditions.js';
import type { InboundContent, OutboundMessage } from '../core/events.js';
import type { SessionState } from '../core/session.js';
import { personData } from '../db/export.js';
import type { Engine, Turn } from '../core/engine.js';
import type { Translator } from '../core/i18n.js';
import type { Db, Tx } from '../db/client.js';
import type { GroupCommitter } from '../db/group-commit.js';
import { closeHandover, erasePerson, loadConversation, openCase, saveAssessment, saveConversation } from '../db/conversations.js';
import { cancelInfoDaySignup, signUpForInfoDay, upcomingInfoDays } from '../db/info-days.js';
import { markInboundHandled, oldestPendingEvent, pendingInboundEvents, readPayload, type StoredEventRef } from '../db/inbound-events.js';
import { defaultCaseLimits, type CaseLimits } from '../db/cases.js';
import { keepForCoordinator, openItem } from '../db/inbox.js';
import { applyLifecycleAction, isLifecycleAction, loadPairView, openSupervisionSlots } from '../db/lifecycle.js';
import { enqueueClaimed, enqueueMessages, type OutboxRow } from '../db/outbox.js';
import type { Outbox } from '../outbox/worker.js';
import { recordConsultation } from '../db/pairs.js';
import { Prisma as P } from '../db/generated/sqlite/client.js';
import { inSavepoint, rows } from '../db/statements.js';
import { systemClock, type Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

/** The first key of the per-person advisory lock (the second is a hash of channel and address). */
const PERSON_LOCK_CLASS = 7_403_122;

const personKey = (ref: StoredEventRef) => `${ref.channel}\u0000${ref.address}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Processor {
  /** Hands stored events to their people's queues. */
  enqueue(events: readonly StoredEventRef[]): void;
  /**
   * Handles events in the transaction that stores them, so that an event, everything it changes
   * and its replies commit together, and the replies go out as the webhook is answered. A person
   * whose earlier events are still being handled, or a turn that fails (as one that makes a
   * Prisma call does in a statements-only batch), goes the usual way: their queue, in a
   * transaction of its own. Returns what to do once the transaction has committed.
   */
  handleWithin(tx: Tx, events: readonly StoredEventRef[]): Promise<() => void>;
  /** Queues every event still pending on these channels (after a restart or a crash). */
  recover(channels: readonly string[]): Promise<number>;
  /** Resolves when every queue is empty. */
  idle(): Promise<void>;
  /**
   * Every `everyMs`, picks up events pending for longer than `olderThanMs`: those of an instance
   * that stopped before handling them. Returns a function that stops the sweeping.
   */
  sweep(channels: readonly string[], options?: { everyMs?: number; olderThanMs?: number }): () => void;
}

export interface ProcessorDeps {
  db: Db;
  committer: GroupCommitter;
  engine: Engine;
  translator: Translator;
  log: Logger;
  metrics: Metrics;
  /** Where replies go: claimed for sending as they are queued when the outbox has room. */
  outbox: Pick<Outbox, 'wake' | 'claimOffer' | 'sendClaimed'>;
  /** Times are shown in this zone to people whose organisation has none. */
  programmeTimezone: string;
  /** Hours to acknowledge a case a report opens, by severity. */
  caseLimitHours?: CaseLimits;
  /** What time it is for the conversations (tests move it on by months). */
  clock?: Clock;
}

/**
 * Handles stored events: one at a time and in order for each person, people in parallel. Each
 * event's whole effect (profile, session, inbox items, replies, the event's own status) is
 * written in one transaction, shared with other people's events through the group committer.
 */
export function createProcessor(deps: ProcessorDeps): Processor {
  const { db, committer, engine, translator, log, metrics, outbox, programmeTimezone, caseLimitHours = defaultCaseLimits, clock = systemClock } = deps;
  /** Per person, the tail of their chain of events; deleted when the chain runs dry. */
  const chains = new Map<string, Promise<void>>();
  const queued = new Set<number>();

  type Outcome =
    | { kind: 'busy' }
    | { kind: 'none' }
    /** `queued` replies wait for the outbox worker; `claimed` ones are sent once committed. */
    | { kind: 'handled'; eventId: number; queued: boolean; claimed: OutboxRow[]; pushed: StoredEventRef[] };
  const lifecycle = { dialect: db.dialect, translator, programmeTimezone, caseLimitHours };

  /**
   * Handles the person's oldest pending event (up to `ref`). On PostgreSQL the person is locked
   * for the transaction first, with a try-lock: when another instance holds them, this one
   * waits its turn instead of blocking (and never deadlocks with another instance's batch).
   * Taking the oldest pending event keeps the person's order even when their next message
   * reached another instance first.
   */
  async function handleNext(tx: Tx, ref: StoredEventRef, now: Date, working: { id?: number }): Promise<Outcome> {
    if (db.dialect === 'postgresql') {
      const [row] = await rows<{ locked: boolean }>(tx, P.sql`SELECT pg_try_advisory_xact_lock(${PERSON_LOCK_CLASS}, hashtext(${`${ref.channel}:${ref.address}`})) AS locked`);
      if (!row?.locked) return { kind: 'busy' };
    }
    const event = await oldestPendingEvent(tx, ref.channel, ref.address, ref.id);
    if (!event) return { kind: 'none' };
    working.id = event.id;
    const payload = readPayload(event.payload);
    if (!payload) {
      await markInboundHandled(tx, event.id, 'failed', now.getTime());
      return { kind: 'handled', eventId: event.id, queued: false, claimed: [], pushed: [] };
    }
    const stored = await loadConversation(tx, ref.channel, ref.address);
    const needs = needsOf(stored?.session ?? null, payload.content);
    const pair = needs.includes('pair') && stored?.inPair ? await loadPairView(tx, stored.personId, now) : undefined;
    const context: TurnContext = {
      infoDays: needs.includes('infoDays') ? await upcomingInfoDays(tx, stored?.personId, stored?.organisationId ?? null, now) : [],
      timeZone: stored?.profile.registration?.timeZone ?? stored?.timeZone ?? programmeTimezone,
      now,
      inPair: stored?.inPair ?? false,
      ...(pair ? { pair } : {}),
      ...(needs.includes('slots') ? { slots: await openSupervisionSlots(tx, stored?.organisationId ?? null, now) } : {}),
    };
    const turn: Turn = engine.handle({
      profile: stored?.profile ?? null,
      session: stored?.session ?? null,
      content: payload.content,
      now,
      context,
      ...(payload.localeHint ? { localeHint: payload.localeHint } : {}),
    });
    const erase = turn.actions.some((a) => a.type === 'erasePerson');
    /** Flows started in other people's conversations (a session offer), queued once committed. */
    const pushed: StoredEventRef[] = [];
    let personId = stored?.personId;
    if (erase && personId) {
      await erasePerson(tx, personId, ref.channel, ref.address);
      personId = undefined;
    } else if (!erase) {
      personId = await saveConversation(tx, { ...ref, personId, organisationId: stored?.organisationId ?? null }, turn.profile, turn.session, now);
      for (const action of turn.actions) {
        if (action.type === 'openHandover') await openItem(tx, personId, 'handover');
        if (action.type === 'openCrisis') await openItem(tx, personId, 'crisis', true);
        if (action.type === 'closeHandover') await closeHandover(tx, personId, now);
        if (action.type === 'saveAssessment') await saveAssessment(tx, personId, action);
        if (action.type === 'infoDaySignup') await signUpForInfoDay(tx, action.infoDayId, personId);
        if (action.type === 'infoDayCancel') await cancelInfoDaySignup(tx, action.infoDayId, personId, now);
        if (action.type === 'openCase') {
          const { type: _type, ...report } = action;
          await openCase(tx, personId, stored?.organisationId ?? null, report, now, caseLimitHours);
        }
        if (action.type === 'keepEvent') await keepForCoordinator(tx, db.dialect, personId, payload.content, now.getTime());
        if (isLifecycleAction(action)) pushed.push(...(await applyLifecycleAction(tx, lifecycle, personId, action, now)));
        if (action.type === 'consultation') await recordConsultation(tx, personId, action, now);
      }
    }
    const exportAction = turn.actions.find((a) => a.type === 'exportData');
    if (exportAction?.type === 'exportData' && personId) {
      const locale = turn.profile.locale;
      const file: OutboundMessage = {
        kind: 'file',
        locale,
        filename: 'ponte-my-data.json',
        mimeType: 'application/json',
        data: Buffer.from(JSON.stringify(await personData(tx, personId), null, 2)).toString('base64'),
        caption: translator.t(locale, 'privacy:export_caption'),
        fallbackText: vars.summary(turn.profile, translator),
      };
      turn.out.splice(exportAction.at, 0, file);
    }
    // Replies are due at once on the outbox's clock (the conversation's may be a test's).
    const to = { channel: ref.channel, address: ref.address, personId: personId ?? null };
    const claimed = await enqueueClaimed(tx, to, turn.out, Date.now(), outbox.claimOffer());
    await markInboundHandled(tx, event.id, 'done', now.getTime());
    return { kind: 'handled', eventId: event.id, queued: turn.out.length > claimed.length, claimed, pushed };
  }

  /**
   * What the turn may need loaded: for the flow the person is in, a flow pushed at them now, and
   * any pushed flow waiting its turn (it may start this turn, when the current one ends).
   */
  function needsOf(session: SessionState | null, content: InboundContent): readonly string[] {
    const queued = Array.isArray(session?.data.pushQueue) ? (session.data.pushQueue as { flowId?: unknown }[]).map((p) => String(p.flowId)) : [];
    const pushed = content.kind === 'system' && content.name === 'push' ? [String(content.data?.flowId ?? '')] : [];
    return [session?.flowId ?? '', ...pushed, ...queued].flatMap((id) => engine.flows.get(id)?.needs ?? []);
  }

  /** What follows a handled event once its transaction has committed. */
  function handled(ref: StoredEventRef, outcome: Extract<Outcome, { kind: 'handled' }>, started: number): void {
    metrics.inboundHandled.inc({ channel: ref.channel, result: 'done' });
    metrics.handleSeconds.observe({ channel: ref.channel }, (performance.now() - started) / 1000);
    outbox.sendClaimed(outcome.claimed);
    if (outcome.queued) outbox.wake();
    if (outcome.pushed.length > 0) enqueue(outcome.pushed);
  }

  async function handleWithin(tx: Tx, events: readonly StoredEventRef[]): Promise<() => void> {
    const done: (() => void)[] = [];
    const rest: StoredEventRef[] = [];
    for (const ref of events) {
      if (chains.has(personKey(ref))) {
        rest.push(ref);
        continue;
      }
      const started = performance.now();
      try {
        const outcome = await inSavepoint(tx, 'ponte_turn', () => handleNext(tx, ref, clock.now(), {}));
        if (outcome.kind === 'handled') done.push(() => handled(ref, outcome, started));
        // An older event of theirs came first (or another instance has them): this one waits its turn.
        if (outcome.kind !== 'handled' || outcome.eventId !== ref.id) rest.push(ref);
      } catch {
        // Undone, and handled again in the person's queue, where a failure is recorded and answered.
        rest.push(ref);
      }
    }
    return () => {
      for (const after of done) after();
      enqueue(rest);
    };
  }

  /** Handles `ref` and any older pending event of the same person, in order. */
  async function handle(ref: StoredEventRef): Promise<void> {
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const started = performance.now();
      const now = clock.now();
      const working: { id?: number } = {};
      try {
        const outcome = await committer.run((tx) => handleNext(tx, ref, now, working), { durable: false });
        if (outcome.kind === 'none') return;
        if (outcome.kind === 'busy') {
          await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 6)));
          continue;
        }
        handled(ref, outcome, started);
        if (outcome.eventId === ref.id) return;
      } catch (err) {
        await recordFailure(ref, working.id ?? ref.id, now, err);
        if ((working.id ?? ref.id) === ref.id) return;
      }
    }
  }

  /**
   * A flow or data bug must not silence the person: they get a kind sorry, the event is marked
   * failed (so it is not retried forever) and the error is logged without content.
   */
  async function recordFailure(ref: StoredEventRef, eventId: number, now: Date, err: unknown): Promise<void> {
    log.error({ err, eventId, channel: ref.channel }, 'inbound event failed');
    metrics.inboundHandled.inc({ channel: ref.channel, result: 'failed' });
    await committer
      .run(async (tx) => {
        const stored = await loadConversation(tx, ref.channel, ref.address);
        const locale = stored?.profile.locale ?? translator.defaultLocale;
        await enqueueMessages(tx, { channel: ref.channel, address: ref.address, personId: stored?.personId ?? null }, [
          { kind: 'text', locale, text: translator.t(locale, 'common:sorry') },
        ], now.getTime());
        await markInboundHandled(tx, eventId, 'failed', now.getTime());
      }, { durable: false })
      .then(() => outbox.wake())
      .catch((e: unknown) => log.error({ err: e, eventId }, 'could not record a failed event'));
  }

  function enqueue(events: readonly StoredEventRef[]): void {
    for (const ref of events) {
      if (queued.has(ref.id)) continue;
      queued.add(ref.id);
      const key = personKey(ref);
      const tail = (chains.get(key) ?? Promise.resolve()).then(() => handle(ref)).finally(() => queued.delete(ref.id));
      chains.set(key, tail);
      void tail.then(() => {
        if (chains.get(key) === tail) chains.delete(key);
      });
    }
  }

  return {
    enqueue,
    handleWithin,
    async recover(channels) {
      const pending = await pendingInboundEvents(db.prisma, channels);
      enqueue(pending);
      return pending.length;
    },
    async idle() {
      while (chains.size > 0) await Promise.all([...chains.values()]);
      await committer.idle();
    },
    sweep(channels, { everyMs = 5000, olderThanMs = 15_000 } = {}) {
      const timer = setInterval(() => {
        pendingInboundEvents(db.prisma, channels, Date.now() - olderThanMs)
          .then(enqueue)
          .catch((err: unknown) => log.error({ err }, 'inbox sweep failed'));
      }, everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
