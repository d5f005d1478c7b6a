import type { Tx } from './client.js';
import { inScope, type Scope } from './scope.js';

/**
 * Programme figures for the results page and its CSV exports. Loading and shaping are apart:
 * `loadResultData` reads the rows of one scope once, and each table is a pure function of them.
 * A new kind of record (a new survey, say) adds its rows to `ResultData` and its table to
 * `builders`; the page and the export follow.
 */

/** A table cell: a number, a text, or nothing to show (a rate of nobody). */
export type Cell = string | number | null;

/**
 * How a column reads: `label` holds a code the page translates (a status, a question id);
 * `text` is someone's own words (an info day's title), shown as written.
 */
export type ColumnKind = 'label' | 'text' | 'month' | 'date' | 'count' | 'percent' | 'mean' | 'days' | 'hours';

export interface Column {
  key: string;
  kind: ColumnKind;
}

export interface ResultTable {
  id: ResultTableId;
  columns: Column[];
  rows: Cell[][];
}

/** What the figures are for: one organisation (a coordinator's always is), or every one (admin). */
export interface ResultFilter {
  /** undefined: everything in the actor's scope; an id: that organisation only. */
  organisationId?: string;
  /** Months are counted in this time zone. */
  timeZone: string;
  now: Date;
}

interface AssessmentRow {
  personId: string;
  kind: string;
  role: string;
  answers: Record<string, number>;
  createdAt: Date;
}

/** The rows the tables are made of, already limited to the scope and the organisation chosen. */
export interface ResultData {
  timeZone: string;
  now: Date;
  /** People who completed a registration, with when. */
  registered: { id: string; role: string; at: Date }[];
  assessments: AssessmentRow[];
  pairs: { status: string; createdAt: Date; confirmedAt: Date | null; menteeAnswered: boolean; mentorAnswered: boolean; menteeRegisteredAt: Date | null }[];
  /** The latest hundred info days, each with its sign-ups. */
  infoDays: { title: string; startsAt: Date; capacity: number | null; signups: { at: Date; cancelled: boolean }[] }[];
  /** When each sign-up for any info day in scope was made. */
  signups: Date[];
  items: { kind: string; status: string; createdAt: Date; closedAt: Date | null }[];
  cases: { severity: string | null; status: string; createdAt: Date }[];
  sessions: { status: string; startsAt: Date; mode: string; feedback: { side: string; happened: boolean; rating: number | null }[] }[];
  surveys: { survey: string; answered: boolean }[];
}

function record(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function dateOf(v: unknown): Date | null {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A Likert answers object (question id → 1..4), without anything else it may hold. */
function likertAnswers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(record(v) ?? {})) {
    const value = Number(n);
    if (Number.isInteger(value) && value >= 1 && value <= 4) out[k] = value;
  }
  return out;
}

function answered(consultation: unknown, side: 'mentee' | 'mentor'): boolean {
  const part = record(record(consultation)?.[side]);
  return part !== null && part.answer !== undefined && part.answer !== null;
}

/** Reads the rows of the figures in scope; an organisation outside a coordinator's scope yields nothing. */
export async function loadResultData(tx: Tx, scope: Scope, filter: ResultFilter): Promise<ResultData> {
  // Both conditions hold: a coordinator's scope cannot be widened by the organisation asked for.
  const org = { AND: [inScope(scope), filter.organisationId ? { organisationId: filter.organisationId } : {}] };
  const [people, assessments, pairs, infoDays, signups, items, cases, sessions, surveys] = await Promise.all([
    tx.person.findMany({ where: { ...org, consent: 'granted', role: { in: ['mentee', 'mentor'] } }, select: { id: true, role: true, registration: true } }),
    tx.assessment.findMany({ where: { person: org }, select: { personId: true, kind: true, role: true, answers: true, createdAt: true } }),
    tx.pair.findMany({ where: org, select: { status: true, createdAt: true, confirmedAt: true, consultation: true, mentee: { select: { registration: true } } } }),
    tx.infoDay.findMany({
      where: org,
      select: { title: true, startsAt: true, capacity: true, signups: { select: { createdAt: true, cancelledAt: true } } },
      orderBy: { startsAt: 'desc' },
      take: 100,
    }),
    tx.infoDaySignup.findMany({ where: { infoDay: org }, select: { createdAt: true } }),
    tx.inboxItem.findMany({ where: { person: org }, select: { kind: true, status: true, createdAt: true, closedAt: true } }),
    tx.case.findMany({ where: org, select: { severity: true, status: true, createdAt: true } }),
    tx.mentoringSession.findMany({
      where: { pair: org },
      select: { status: true, startsAt: true, mode: true, feedback: { select: { side: true, happened: true, rating: true } } },
    }),
    tx.surveyResponse.findMany({ where: { person: org }, select: { survey: true, answeredAt: true } }),
  ]);
  const registered = people.flatMap((p) => {
    const at = dateOf(record(p.registration)?.completedAt);
    return at && p.role ? [{ id: p.id, role: p.role, at }] : [];
  });
  return {
    timeZone: filter.timeZone,
    now: filter.now,
    registered,
    assessments: assessments.map((a) => ({ ...a, answers: likertAnswers(a.answers) })),
    pairs: pairs.map((p) => ({
      status: p.status,
      createdAt: p.createdAt,
      confirmedAt: p.confirmedAt,
      menteeAnswered: answered(p.consultation, 'mentee'),
      mentorAnswered: answered(p.consultation, 'mentor'),
      menteeRegisteredAt: dateOf(record(p.mentee.registration)?.completedAt),
    })),
    infoDays: infoDays.map((d) => ({ ...d, signups: d.signups.map((s) => ({ at: s.createdAt, cancelled: s.cancelledAt !== null })) })),
    signups: signups.map((s) => s.createdAt),
    items,
    cases,
    sessions,
    surveys: surveys.map((r) => ({ survey: r.survey, answered: r.answeredAt !== null })),
  };
}

/** `2026-03` for a time in a time zone. */
export function monthOf(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

/** Months shown over time at most: two years. */
const MAX_MONTHS = 24;

/** Every month from the first one with data (at most two years back) to the current one, gaps included. */
function monthsOf(data: ResultData, dates: Date[]): string[] {
  const last = monthOf(data.now, data.timeZone);
  const first = dates.reduce<string>((min, d) => {
    const m = monthOf(d, data.timeZone);
    return m < min ? m : min;
  }, last);
  const months: string[] = [];
  let [y, m] = last.split('-').map(Number) as [number, number];
  while (months.length < MAX_MONTHS) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    months.unshift(key);
    if (key <= first) break;
    m -= 1;
    if (m === 0) [y, m] = [y - 1, 12];
  }
  return months;
}

function countBy<T>(rows: readonly T[], key: (row: T) => string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rows) {
    const k = key(row);
    if (k !== null) out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(m * 10) / 10;
}

const rate = (asked: number, yes: number): number | null => (asked === 0 ? null : Math.round((yes / asked) * 1000) / 10);

/** The question ids of the self-assessments found, in order: `mentee.q1`, … */
function questionsOf(assessments: readonly AssessmentRow[]): string[] {
  const ids = new Set<string>();
  for (const a of assessments) for (const q of Object.keys(a.answers)) ids.add(`${a.role}.${q}`);
  return [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const roles = ['mentee', 'mentor'] as const;
export const surveyKinds = ['monthly', 'final'] as const;
/** A session whose time has come: the bot has asked both sides how it went (or will). */
const due = (s: { status: string; startsAt: Date }, now: Date) => s.startsAt <= now && ['confirmed', 'held', 'missed'].includes(s.status);
export const pairStatuses = ['consulting', 'agreed', 'active', 'paused', 'ended', 'declined'] as const;
export const caseStatuses = ['new', 'triaged', 'under_review', 'action_taken', 'closed'] as const;
const severities = ['urgent', 'high', 'normal', 'untriaged'] as const;
/** Days from a mentee's registration to their confirmed pair, in buckets: upper bounds. */
export const matchBuckets = [
  { key: '0_7', upTo: 7 },
  { key: '8_14', upTo: 14 },
  { key: '15_30', upTo: 30 },
  { key: '31_60', upTo: 60 },
  { key: '61_90', upTo: 90 },
  { key: 'over_90', upTo: Infinity },
] as const;

const DAY_MS = 86_400_000;

/** Days from registration to a confirmed pair, per confirmed pair whose mentee's registration is known. */
export function daysToMatch(data: ResultData): number[] {
  return data.pairs.flatMap((p) =>
    p.confirmedAt && p.menteeRegisteredAt ? [Math.max(0, Math.round(((p.confirmedAt.getTime() - p.menteeRegisteredAt.getTime()) / DAY_MS) * 10) / 10)] : [],
  );
}

type Builder = (data: ResultData) => Omit<ResultTable, 'id'>;

const builders = {
  /** Who answered what the bot asked: the baseline self-assessment, and each side of a match consultation. */
  'response-rates': (data) => {
    const baseline = new Set(data.assessments.filter((a) => a.kind === 'baseline').map((a) => a.personId));
    const rows: Cell[][] = [];
    for (const role of roles) {
      const asked = data.registered.filter((p) => p.role === role);
      const yes = asked.filter((p) => baseline.has(p.id)).length;
      rows.push([`baseline_${role}`, asked.length, yes, rate(asked.length, yes)]);
    }
    for (const role of roles) {
      const yes = data.pairs.filter((p) => (role === 'mentee' ? p.menteeAnswered : p.mentorAnswered)).length;
      rows.push([`consultation_${role}`, data.pairs.length, yes, rate(data.pairs.length, yes)]);
    }
    const dueSessions = data.sessions.filter((s) => due(s, data.now));
    for (const role of roles) {
      const yes = dueSessions.filter((s) => s.feedback.some((f) => f.side === role)).length;
      rows.push([`feedback_${role}`, dueSessions.length, yes, rate(dueSessions.length, yes)]);
    }
    for (const survey of surveyKinds) {
      const sent = data.surveys.filter((r) => r.survey === survey);
      const yes = sent.filter((r) => r.answered).length;
      rows.push([`survey_${survey}`, sent.length, yes, rate(sent.length, yes)]);
    }
    return {
      columns: [
        { key: 'measure', kind: 'label' },
        { key: 'asked', kind: 'count' },
        { key: 'answered', kind: 'count' },
        { key: 'rate', kind: 'percent' },
      ],
      rows,
    };
  },

  /** How many chose 1, 2, 3 and 4 for each statement, per kind of self-assessment. */
  likert: (data) => {
    const rows: Cell[][] = [];
    for (const kind of [...new Set(data.assessments.map((a) => a.kind))].sort()) {
      const ofKind = data.assessments.filter((a) => a.kind === kind);
      for (const question of questionsOf(ofKind)) {
        const [role, q] = question.split('.') as [string, string];
        const values = ofKind.filter((a) => a.role === role && a.answers[q] !== undefined).map((a) => a.answers[q]!);
        rows.push([kind, question, ...[1, 2, 3, 4].map((n) => values.filter((v) => v === n).length), values.length, mean(values)]);
      }
    }
    return {
      columns: [
        { key: 'assessment', kind: 'label' },
        { key: 'question', kind: 'label' },
        { key: 'answer_1', kind: 'count' },
        { key: 'answer_2', kind: 'count' },
        { key: 'answer_3', kind: 'count' },
        { key: 'answer_4', kind: 'count' },
        { key: 'answers', kind: 'count' },
        { key: 'mean', kind: 'mean' },
      ],
      rows,
    };
  },

  /**
   * The mean answer to each statement by the month the self-assessment was made: a row per month
   * and kind, a column per statement (`mean:mentee.q1`).
   */
  'likert-monthly': (data) => {
    const questions = questionsOf(data.assessments);
    const byMonth = new Map<string, AssessmentRow[]>();
    for (const a of data.assessments) {
      const m = monthOf(a.createdAt, data.timeZone);
      byMonth.set(m, [...(byMonth.get(m) ?? []), a]);
    }
    const rows: Cell[][] = [];
    for (const month of [...byMonth.keys()].sort()) {
      const inMonth = byMonth.get(month)!;
      for (const kind of [...new Set(inMonth.map((a) => a.kind))].sort()) {
        const ofKind = inMonth.filter((a) => a.kind === kind);
        const means = questions.map((question) => {
          const [role, q] = question.split('.') as [string, string];
          return mean(ofKind.filter((a) => a.role === role && a.answers[q] !== undefined).map((a) => a.answers[q]!));
        });
        rows.push([month, kind, ofKind.length, ...means]);
      }
    }
    return {
      columns: [
        { key: 'month', kind: 'month' },
        { key: 'assessment', kind: 'label' },
        { key: 'assessments', kind: 'count' },
        ...questions.map((q) => ({ key: `mean:${q}`, kind: 'mean' as const })),
      ],
      rows,
    };
  },

  /** What happened each month: registrations, baselines, pairs proposed and confirmed, sign-ups, requests, cases. */
  monthly: (data) => {
    const series: [string, Date[]][] = [
      ['registrations', data.registered.map((p) => p.at)],
      ['baseline_assessments', data.assessments.filter((a) => a.kind === 'baseline').map((a) => a.createdAt)],
      ['pairs_proposed', data.pairs.map((p) => p.createdAt)],
      ['pairs_confirmed', data.pairs.flatMap((p) => (p.confirmedAt ? [p.confirmedAt] : []))],
      ['info_day_signups', data.signups],
      ['inbox_items', data.items.map((i) => i.createdAt)],
      ['cases', data.cases.map((c) => c.createdAt)],
    ];
    const counts = series.map(([, dates]) => countBy(dates, (d) => monthOf(d, data.timeZone)));
    return {
      columns: [{ key: 'month', kind: 'month' }, ...series.map(([key]) => ({ key, kind: 'count' as const }))],
      rows: monthsOf(data, series.flatMap(([, dates]) => dates)).map((month) => [month, ...counts.map((c) => c.get(month) ?? 0)]),
    };
  },

  /** Sessions by the month they were planned for, up to now: held, missed, cancelled, and held in person. */
  sessions: (data) => {
    const past = data.sessions.filter((s) => s.startsAt <= data.now);
    const month = (s: { startsAt: Date }) => monthOf(s.startsAt, data.timeZone);
    const counts = (status: string) => countBy(past.filter((s) => s.status === status), month);
    const [held, missed, cancelled] = [counts('held'), counts('missed'), counts('cancelled')];
    const inPerson = countBy(past.filter((s) => s.status === 'held' && s.mode === 'in_person'), month);
    return {
      columns: [
        { key: 'month', kind: 'month' },
        { key: 'held', kind: 'count' },
        { key: 'missed', kind: 'count' },
        { key: 'cancelled', kind: 'count' },
        { key: 'held_in_person', kind: 'count' },
      ],
      rows: monthsOf(data, past.map((s) => s.startsAt)).map((m) => [m, held.get(m) ?? 0, missed.get(m) ?? 0, cancelled.get(m) ?? 0, inPerson.get(m) ?? 0]),
    };
  },

  /** What each side said after a session: how many answered, said it took place, and rated it 1 to 4. */
  feedback: (data) => ({
    columns: [
      { key: 'side', kind: 'label' },
      { key: 'answers', kind: 'count' },
      { key: 'happened', kind: 'count' },
      { key: 'answer_1', kind: 'count' },
      { key: 'answer_2', kind: 'count' },
      { key: 'answer_3', kind: 'count' },
      { key: 'answer_4', kind: 'count' },
      { key: 'mean', kind: 'mean' },
    ],
    rows: roles.map((side) => {
      const given = data.sessions.flatMap((s) => s.feedback.filter((f) => f.side === side));
      const ratings = given.flatMap((f) => (f.rating !== null && f.rating >= 1 && f.rating <= 4 ? [f.rating] : []));
      return [side, given.length, given.filter((f) => f.happened).length, ...[1, 2, 3, 4].map((n) => ratings.filter((r) => r === n).length), mean(ratings)];
    }),
  }),

  /** Pairs by where they are: proposed, agreed, active (meeting), paused, ended, declined. */
  pairs: (data) => {
    const counts = countBy(data.pairs, (p) => p.status);
    return {
      columns: [
        { key: 'status', kind: 'label' },
        { key: 'pairs', kind: 'count' },
      ],
      rows: pairStatuses.map((s) => [s, counts.get(s) ?? 0]),
    };
  },

  /** Confirmed pairs by how long the mentee waited from registration. */
  'time-to-match': (data) => {
    const days = daysToMatch(data);
    const bucketOf = (d: number) => matchBuckets.find((b) => d <= b.upTo)!.key;
    const counts = countBy(days, bucketOf);
    return {
      columns: [
        { key: 'waited', kind: 'label' },
        { key: 'pairs', kind: 'count' },
      ],
      rows: matchBuckets.map((b) => [b.key, counts.get(b.key) ?? 0]),
    };
  },

  /** Each info day (the latest hundred) with its places and sign-ups. */
  'info-days': (data) => ({
    columns: [
      { key: 'title', kind: 'text' },
      { key: 'date', kind: 'date' },
      { key: 'capacity', kind: 'count' },
      { key: 'signed_up', kind: 'count' },
      { key: 'cancelled', kind: 'count' },
    ],
    rows: data.infoDays.map((d) => {
      const cancelled = d.signups.filter((s) => s.cancelled).length;
      return [d.title, d.startsAt.toISOString(), d.capacity, d.signups.length - cancelled, cancelled];
    }),
  }),

  /** What needed a person in the inbox, by kind: how many, how many still open, how long closing took. */
  'inbox-items': (data) => {
    const kinds = [...new Set(data.items.map((i) => i.kind))].sort();
    return {
      columns: [
        { key: 'item_kind', kind: 'label' },
        { key: 'opened', kind: 'count' },
        { key: 'still_open', kind: 'count' },
        { key: 'median_hours_to_close', kind: 'hours' },
      ],
      rows: kinds.map((kind) => {
        const ofKind = data.items.filter((i) => i.kind === kind);
        const hours = ofKind.flatMap((i) => (i.closedAt ? [(i.closedAt.getTime() - i.createdAt.getTime()) / 3_600_000] : []));
        return [kind, ofKind.length, ofKind.filter((i) => i.status === 'open').length, median(hours)];
      }),
    };
  },

  /** Misconduct and safety cases by severity (untriaged: not yet set) and status. */
  cases: (data) => ({
    columns: [{ key: 'severity', kind: 'label' }, ...caseStatuses.map((key) => ({ key, kind: 'count' as const })), { key: 'total', kind: 'count' }],
    rows: severities.map((severity) => {
      const ofSeverity = data.cases.filter((c) => (c.severity ?? 'untriaged') === severity);
      return [severity, ...caseStatuses.map((s) => ofSeverity.filter((c) => c.status === s).length), ofSeverity.length];
    }),
  }),
} satisfies Record<string, Builder>;

export type ResultTableId = keyof typeof builders;

/** The tables, in the order the page shows them; each is also a CSV export. */
export const resultTableIds = Object.keys(builders) as ResultTableId[];

export function isResultTableId(id: string): id is ResultTableId {
  return Object.hasOwn(builders, id);
}

export function buildResultTable(data: ResultData, id: ResultTableId): ResultTable {
  return { id, ...builders[id](data) };
}
