import { DateTime } from 'luxon';
import { formatWhen } from '../core/context.js';
import type { Translator } from '../core/i18n.js';
import { personTimeZone } from '../core/registration.js';
import { addMonths, isQuiet, localMonth, type QuietHours } from '../core/time.js';
import type { Dialect, Tx } from '../db/client.js';
import type { GroupCommitter } from '../db/group-commit.js';
import type { StoredEventRef } from '../db/inbound-events.js';
import { runOnce } from '../db/jobs.js';
import { pushFlow } from '../db/lifecycle.js';
import { localeOf, tell } from '../db/outbox.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Feedback is asked an hour after a session's end, and not any more after three days. */
const FEEDBACK_AFTER_MS = HOUR;
const FEEDBACK_STALE_MS = 3 * DAY;
/** A monthly survey goes to pairs at least this old, from 10:00 local; one reminder after three days. */
const SURVEY_MIN_PAIR_AGE_MS = 14 * DAY;
const SURVEY_FROM_HOUR = 10;
const SURVEY_REMINDER_MS = 3 * DAY;
/** The in-person nudge comes mid-month, when there is still time to meet. */
const IN_PERSON_NUDGE_DAY = 15;

export interface LifecycleJobDeps {
  committer: GroupCommitter;
  translator: Translator;
  programmeTimezone: string;
  quietHours: QuietHours;
  dialect: Dialect;
  cadence: { firstMonthDays: number; days: number };
  /** Hands flows pushed into people's conversations to the processor, once committed. */
  onPushed(events: readonly StoredEventRef[]): void;
}

const person = { select: { id: true, channel: true, address: true, locale: true, registration: true, surveysOff: true, role: true, organisationId: true, organisation: { select: { timezone: true, programmeMonths: true } } } } as const;

function activePairs(tx: Tx) {
  return tx.pair.findMany({ where: { status: 'active', confirmedAt: { not: null } }, include: { mentee: person, mentor: person } });
}

type ActivePair = Awaited<ReturnType<typeof activePairs>>[number];

/** How long the pair's process runs: its organisation's programme length, six months by default. */
function programmeMonths(pair: ActivePair): number {
  return pair.mentee.organisation?.programmeMonths ?? 6;
}

/** When the pair's process reaches its end, in calendar months in the mentee's time zone. */
function closureDueAt(deps: LifecycleJobDeps, pair: ActivePair): number {
  return addMonths(pair.confirmedAt!, programmeMonths(pair), personTimeZone(pair.mentee, deps.programmeTimezone)).getTime();
}

/** Runs a job's transaction and passes on what it pushed; returns how many people it reached. */
async function withPushes(deps: LifecycleJobDeps, work: (tx: Tx, pushed: StoredEventRef[]) => Promise<number>): Promise<number> {
  const pushed: StoredEventRef[] = [];
  const count = await deps.committer.run((tx) => work(tx, pushed));
  if (pushed.length > 0) deps.onPushed(pushed);
  return count;
}

function quietFor(deps: LifecycleJobDeps, p: { registration: unknown; organisation: { timezone: string } | null }, now: Date): boolean {
  return isQuiet(now, personTimeZone(p, deps.programmeTimezone), deps.quietHours);
}

/**
 * An hour after a confirmed session's end, each side is asked whether it happened and how it
 * went (flows/feedback.ts), outside their quiet hours; after three days it is no longer asked.
 * After the informal meeting of a pair not yet confirmed, they are asked instead whether they
 * would like to go on together (flows/after-meeting.ts).
 */
export async function askForFeedback(deps: LifecycleJobDeps, now: Date): Promise<number> {
  return withPushes(deps, async (tx, pushed) => {
    let asked = 0;
    const sessions = await tx.mentoringSession.findMany({
      where: { status: 'confirmed', startsAt: { gt: new Date(now.getTime() - FEEDBACK_STALE_MS), lt: now } },
      include: { pair: { include: { mentee: person, mentor: person } } },
    });
    for (const s of sessions) {
      const dueAt = s.startsAt.getTime() + s.minutes * 60_000 + FEEDBACK_AFTER_MS;
      if (now.getTime() < dueAt) continue;
      for (const side of ['mentee', 'mentor'] as const) {
        const p = s.pair[side];
        if (quietFor(deps, p, now)) continue;
        // After the informal meeting of a pair not yet confirmed: would they go on together?
        const informal = s.pair.status === 'agreed';
        const purpose = informal ? 'after-meeting' : 'feedback';
        const data = informal ? { flowId: 'after_meeting', pairId: s.pair.id, side } : { flowId: 'feedback', sessionId: s.id, startsAt: s.startsAt.toISOString(), side };
        const done = await runOnce(tx, { purpose, subject: `${s.id}:${side}`, dueAt }, now.getTime(), async () => {
          pushed.push(...(await pushFlow(tx, deps.dialect, p, `${purpose}:${s.id}:${side}`, data, now.getTime())));
        });
        if (done) asked += 1;
      }
    }
    return asked;
  });
}

/**
 * Pairs that have not met for a while are nudged: weekly in their first month, then every two
 * weeks (configurable), counted from their last session or their confirmation, and not while a
 * session is planned. Mid-month, a pair that has not met in person that month is reminded to.
 */
export async function nudgePairs(deps: LifecycleJobDeps, now: Date): Promise<number> {
  return deps.committer.run(async (tx) => {
    let nudged = 0;
    const t = deps.translator;
    for (const pair of await activePairs(tx)) {
      const confirmedAt = pair.confirmedAt!.getTime();
      const sessions = await tx.mentoringSession.findMany({ where: { pairId: pair.id, status: { in: ['confirmed', 'held', 'proposed'] } }, select: { startsAt: true, status: true, mode: true } });
      const planned = sessions.some((s) => s.startsAt > now);
      const last = Math.max(confirmedAt, ...sessions.filter((s) => s.startsAt <= now && s.status !== 'proposed').map((s) => s.startsAt.getTime()));
      const gapDays = now.getTime() - confirmedAt < 30 * DAY ? deps.cadence.firstMonthDays : deps.cadence.days;
      const timeZone = personTimeZone(pair.mentee, deps.programmeTimezone);
      const month = localMonth(now, timeZone);
      const metInPersonThisMonth = sessions.some((s) => s.mode === 'in_person' && s.status !== 'proposed' && localMonth(s.startsAt, timeZone) === month);
      const midMonth = DateTime.fromJSDate(now, { zone: timeZone }).day >= IN_PERSON_NUDGE_DAY;
      for (const side of ['mentee', 'mentor'] as const) {
        const p = pair[side];
        if (quietFor(deps, p, now)) continue;
        const other = t.t(localeOf(p, t), `sessions:other_${side === 'mentee' ? 'mentor' : 'mentee'}`);
        const nudges: { purpose: string; subject: string; dueAt: number; key: string }[] = [];
        if (!planned && now.getTime() - last >= gapDays * DAY) {
          const round = Math.floor((now.getTime() - last) / (gapDays * DAY));
          nudges.push({ purpose: 'nudge', subject: `${pair.id}:${last}:${round}:${side}`, dueAt: last + round * gapDays * DAY, key: 'sessions:nudge' });
        }
        if (midMonth && !metInPersonThisMonth && now.getTime() - confirmedAt >= 14 * DAY) {
          nudges.push({ purpose: 'nudge-in-person', subject: `${pair.id}:${month}:${side}`, dueAt: now.getTime(), key: 'sessions:nudge_in_person' });
        }
        for (const n of nudges) {
          const done = await runOnce(tx, n, now.getTime(), async () => {
            await tell(tx, t, p, n.key, { other });
          });
          if (done) nudged += 1;
        }
      }
    }
    return nudged;
  });
}

/**
 * Once a month, from 10:00 local and outside quiet hours, each person of an active pair (two weeks
 * old at least, surveys not turned off) gets the micro-survey for their role; three days later,
 * one reminder if it is still unanswered. The survey's row is unique per person and month.
 */
export async function sendMonthlySurveys(deps: LifecycleJobDeps, now: Date): Promise<number> {
  return withPushes(deps, async (tx, pushed) => {
    let sent = 0;
    const t = deps.translator;
    for (const pair of await activePairs(tx)) {
      if (now.getTime() - pair.confirmedAt!.getTime() < SURVEY_MIN_PAIR_AGE_MS) continue;
      // At its end a pair gets the closure's final self-assessment instead.
      if (now.getTime() >= closureDueAt(deps, pair)) continue;
      for (const side of ['mentee', 'mentor'] as const) {
        const p = pair[side];
        if (p.surveysOff || quietFor(deps, p, now)) continue;
        const timeZone = personTimeZone(p, deps.programmeTimezone);
        if (DateTime.fromJSDate(now, { zone: timeZone }).hour < SURVEY_FROM_HOUR) continue;
        const period = localMonth(now, timeZone);
        const id = `${p.id}:monthly:${period}`;
        const done = await runOnce(tx, { purpose: 'survey', subject: id, dueAt: now.getTime() }, now.getTime(), async () => {
          await tx.surveyResponse.create({ data: { id, personId: p.id, survey: 'monthly', period, role: side, sentAt: now } });
          pushed.push(...(await pushFlow(tx, deps.dialect, p, `survey:${id}`, { flowId: `survey_${side}`, surveyId: id }, now.getTime())));
        });
        if (done) sent += 1;
      }
    }
    const unanswered = await tx.surveyResponse.findMany({
      where: { survey: 'monthly', answeredAt: null, remindedAt: null, sentAt: { lte: new Date(now.getTime() - SURVEY_REMINDER_MS) } },
      include: { person: person },
    });
    for (const s of unanswered) {
      const p = s.person;
      if (p.surveysOff || quietFor(deps, p, now) || localMonth(now, personTimeZone(p, deps.programmeTimezone)) !== s.period) continue;
      await tx.surveyResponse.update({ where: { id: s.id }, data: { remindedAt: now } });
      await tell(tx, t, p, 'surveys:reminder');
      pushed.push(...(await pushFlow(tx, deps.dialect, p, `survey-reminder:${s.id}`, { flowId: `survey_${s.role}`, surveyId: s.id }, now.getTime())));
      sent += 1;
    }
    return sent;
  });
}

/**
 * At the programme's length (the organisation's, 6 months by default) from the pair's
 * confirmation, both sides get the closure: thanks, the final self-assessment and what next.
 * The pair stays active until the coordinator records the outcome.
 */
export async function startClosures(deps: LifecycleJobDeps, now: Date): Promise<number> {
  return withPushes(deps, async (tx, pushed) => {
    let started = 0;
    for (const pair of await activePairs(tx)) {
      const months = programmeMonths(pair);
      const dueAt = closureDueAt(deps, pair);
      if (now.getTime() < dueAt) continue;
      for (const side of ['mentee', 'mentor'] as const) {
        const p = pair[side];
        if (quietFor(deps, p, now)) continue;
        const done = await runOnce(tx, { purpose: 'closure', subject: `${pair.id}:${side}`, dueAt }, now.getTime(), async () => {
          pushed.push(...(await pushFlow(tx, deps.dialect, p, `closure:${pair.id}:${side}`, { flowId: 'closure', pairId: pair.id, months }, now.getTime())));
        });
        if (done) started += 1;
      }
    }
    return started;
  });
}

/**
 * Once a month, each mentor of an active pair is offered the coordinator's free supervision times
 * (flows/supervision.ts), from 10:00 local and outside quiet hours, unless they have booked one
 * this month or none is offered yet (then the next tick looks again). The day before a booked
 * check-in, a reminder.
 */
export async function inviteToSupervision(deps: LifecycleJobDeps, now: Date): Promise<number> {
  return withPushes(deps, async (tx, pushed) => {
    let sent = 0;
    const t = deps.translator;
    const mentors = new Map((await activePairs(tx)).map((p) => [p.mentor.id, p.mentor]));
    for (const mentor of mentors.values()) {
      if (quietFor(deps, mentor, now)) continue;
      const timeZone = personTimeZone(mentor, deps.programmeTimezone);
      if (DateTime.fromJSDate(now, { zone: timeZone }).hour < SURVEY_FROM_HOUR) continue;
      const period = localMonth(now, timeZone);
      const booked = await tx.supervisionSlot.findMany({ where: { mentorId: mentor.id }, select: { startsAt: true } });
      if (booked.some((b) => localMonth(b.startsAt, timeZone) === period)) continue;
      const offered = await tx.supervisionSlot.count({ where: { organisationId: mentor.organisationId, mentorId: null, startsAt: { gt: now } } });
      if (offered === 0) continue;
      const done = await runOnce(tx, { purpose: 'supervision', subject: `${mentor.id}:${period}`, dueAt: now.getTime() }, now.getTime(), async () => {
        pushed.push(...(await pushFlow(tx, deps.dialect, mentor, `supervision:${mentor.id}:${period}`, { flowId: 'supervision' }, now.getTime())));
      });
      if (done) sent += 1;
    }
    const soon = await tx.supervisionSlot.findMany({
      where: { mentorId: { not: null }, remindedAt: null, startsAt: { gt: now, lte: new Date(now.getTime() + DAY) } },
      include: { mentor: person },
    });
    for (const slot of soon) {
      const mentor = slot.mentor!;
      if (quietFor(deps, mentor, now)) continue;
      const when = formatWhen(slot.startsAt.toISOString(), localeOf(mentor, t), personTimeZone(mentor, deps.programmeTimezone));
      // Marked in the same transaction: a repeated tick finds it reminded.
      const { count } = await tx.supervisionSlot.updateMany({ where: { id: slot.id, remindedAt: null }, data: { remindedAt: now } });
      if (count === 0) continue;
      await tell(tx, t, mentor, 'supervision:reminder', { when, minutes: slot.minutes, place: slot.place });
      sent += 1;
    }
    return sent;
  });
}
