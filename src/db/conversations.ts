import { randomUUID } from 'node:crypto';
import { Prisma as P } from './generated/sqlite/client.js';
import type { Tx } from './client.js';
import { createCase, defaultCaseLimits, dueAt, type CaseLimits } from './cases.js';
import { execute, rows } from './statements.js';
import { Needs, Registration } from '../core/registration.js';
import { SessionState, sessionStateJson, type Profile } from '../core/session.js';

export interface StoredConversation {
  personId: string;
  organisationId: string | null;
  /** The person's organisation's time zone, if they came through one. */
  timeZone: string | undefined;
  profile: Profile;
  session: SessionState | null;
  /** In an active mentoring pair (the menu offers "My sessions"). */
  inPair: boolean;
}

const roles = new Set(['mentee', 'mentor', 'visitor']);

/** A row as the drivers give it: SQLite has 0/1 for booleans and text for JSON and times. */
const truthy = (v: unknown) => v === true || v === 1 || v === 1n || v === '1';
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
/**
 * A JSON column read with `schema`, or null when it is empty or no longer reads as one. Most
 * people have none, and a failed parse (an error built with its issues) would cost each message.
 */
const orNull = <T>(schema: { safeParse(v: unknown): { data?: T } }, v: unknown): T | null => (v === null || v === undefined ? null : (schema.safeParse(json(v)).data ?? null));
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

interface ConversationRow {
  id: string;
  locale: string | null;
  localeConfirmed: unknown;
  consent: string | null;
  consentAt: unknown;
  role: string | null;
  source: string | null;
  registration: unknown;
  needs: unknown;
  surveysOff: unknown;
  organisationId: string | null;
  orgTimezone: string | null;
  flowId: string | null;
  flowVersion: unknown;
  stepId: string | null;
  mode: string | null;
  state: unknown;
  inPair: unknown;
}

/**
 * A person's profile and session, or undefined for someone who never wrote before. One
 * hand-written statement: this runs for every message.
 */
export async function loadConversation(tx: Tx, channel: string, address: string): Promise<StoredConversation | undefined> {
  const [row] = await rows<ConversationRow>(
    tx,
    P.sql`
    SELECT p."id", p."locale", p."localeConfirmed", p."consent", p."consentAt", p."role", p."source", p."registration", p."needs",
           p."surveysOff", p."organisationId", o."timezone" AS "orgTimezone",
           c."flowId", c."flowVersion", c."stepId", c."mode", c."state",
           EXISTS (SELECT 1 FROM "Pair" x WHERE x."status" = 'active' AND (x."menteeId" = p."id" OR x."mentorId" = p."id")) AS "inPair"
    FROM "Person" p
    LEFT JOIN "Conversation" c ON c."personId" = p."id"
    LEFT JOIN "Organisation" o ON o."id" = p."organisationId"
    WHERE p."channel" = ${channel} AND p."address" = ${address}`,
  );
  if (!row) return undefined;
  const parsed =
    row.flowId !== null
      ? SessionState.safeParse({ ...(json(row.state) as object), flowId: row.flowId, flowVersion: Number(row.flowVersion), stepId: row.stepId, mode: row.mode })
      : undefined;
  return {
    personId: row.id,
    organisationId: row.organisationId,
    timeZone: row.orgTimezone ?? undefined,
    profile: {
      locale: row.locale ?? 'en',
      localeConfirmed: truthy(row.localeConfirmed),
      consent: row.consent === 'granted' || row.consent === 'declined' ? row.consent : null,
      consentAt: iso(row.consentAt),
      role: row.role && roles.has(row.role) ? (row.role as Profile['role']) : null,
      source: row.source,
      registration: orNull(Registration, row.registration),
      needs: orNull(Needs, row.needs),
      surveysOff: truthy(row.surveysOff),
    },
    // A session that no longer reads as one starts over rather than failing every message.
    session: parsed?.success ? parsed.data : null,
    inPair: truthy(row.inPair),
  };
}

/**
 * Saves a person's profile and session after a turn; creates the person on their first message.
 * Hand-written statements: this runs for every message.
 */
export async function saveConversation(
  tx: Tx,
  who: { channel: string; address: string; personId: string | undefined; organisationId?: string | null },
  profile: Profile,
  session: SessionState,
  now: Date,
): Promise<string> {
  // Without consent only what is needed to answer is kept: the language and where we are.
  const granted = profile.consent === 'granted';
  const source = granted ? profile.source : null;
  const registration = granted && profile.registration ? JSON.stringify(profile.registration) : null;
  const needs = granted && profile.needs ? JSON.stringify(profile.needs) : null;
  // A deep-link source naming an organisation makes the person one of theirs (looked up once).
  const organisation = source && !who.organisationId ? (await rows<{ id: string }>(tx, P.sql`SELECT "id" FROM "Organisation" WHERE "slug" = ${source}`))[0] : undefined;
  const consentAt = profile.consentAt ? new Date(profile.consentAt) : null;
  const personId = who.personId ?? randomUUID();
  if (who.personId) {
    // The organisation is set only when it changes: SQLite rewrites the index of every column
    // an UPDATE sets, changed or not, and this runs for every message.
    await execute(
      tx,
      P.sql`
      UPDATE "Person" SET "locale" = ${profile.locale}, "localeConfirmed" = ${profile.localeConfirmed}, "consent" = ${profile.consent},
        "consentAt" = ${consentAt}, "surveysOff" = ${profile.surveysOff}, "role" = ${granted ? profile.role : null}, "source" = ${source},
        "registration" = ${registration}, "needs" = ${needs}, "lastInboundAt" = ${now}${organisation ? P.sql`, "organisationId" = ${organisation.id}` : P.empty}
      WHERE "id" = ${personId}`,
    );
  } else {
    await execute(
      tx,
      P.sql`
      INSERT INTO "Person" ("id", "channel", "address", "locale", "localeConfirmed", "consent", "consentAt", "surveysOff", "role", "source",
        "registration", "needs", "organisationId", "lastInboundAt", "createdAt")
      VALUES (${personId}, ${who.channel}, ${who.address}, ${profile.locale}, ${profile.localeConfirmed}, ${profile.consent}, ${consentAt},
        ${profile.surveysOff}, ${granted ? profile.role : null}, ${source}, ${registration}, ${needs}, ${organisation?.id ?? who.organisationId ?? null}, ${now}, ${now})`,
    );
  }
  await execute(
    tx,
    P.sql`
    INSERT INTO "Conversation" ("personId", "flowId", "flowVersion", "stepId", "mode", "state", "updatedAt")
    VALUES (${personId}, ${session.flowId}, ${session.flowVersion}, ${session.stepId}, ${session.mode}, ${JSON.stringify(sessionStateJson(session))}, ${now})
    ON CONFLICT ("personId") DO UPDATE SET "flowId" = excluded."flowId", "flowVersion" = excluded."flowVersion", "stepId" = excluded."stepId",
      "mode" = excluded."mode", "state" = excluded."state", "updatedAt" = excluded."updatedAt"`,
  );
  return personId;
}

/**
 * Erases a person and everything hanging off them; the events they sent lose their content.
 * Their safeguarding reports stay (a case must be kept), no longer linked to them.
 */
export async function erasePerson(tx: Tx, personId: string, channel: string, address: string): Promise<void> {
  await tx.inboundEvent.updateMany({ where: { channel, address }, data: { payload: P.DbNull } });
  await tx.outboxMessage.updateMany({ where: { channel, address, status: { in: ['sent', 'failed'] } }, data: { payload: P.DbNull } });
  await tx.case.updateMany({ where: { reporterId: personId }, data: { reporterId: null } });
  // What a channel keeps per person to reach them (a Bot Framework conversation reference).
  await tx.setting.deleteMany({ where: { key: `${channel}:ref:${address}` } });
  await tx.person.delete({ where: { id: personId } });
}

/**
 * Files a report from the chat as a new case for the reporter's organisation. Danger or a minor
 * at risk makes it urgent at once, before anyone triages it; any other report must be looked at
 * within the high severity's limit until triage sets its own. The clock starts now.
 */
export async function openCase(
  tx: Tx,
  reporterId: string,
  organisationId: string | null,
  report: { reference: string; kind: string; happened: string; danger: boolean; description: string; contactOk: boolean },
  now: Date,
  limits: CaseLimits = defaultCaseLimits,
): Promise<void> {
  const urgent = report.danger || report.kind === 'minor';
  await createCase(
    tx,
    {
      source: 'chat',
      organisationId,
      reporterId,
      ...report,
      severity: urgent ? 'urgent' : null,
      involvesMinor: report.kind === 'minor',
      dueAt: dueAt(limits, urgent ? 'urgent' : 'high', now.getTime()),
    },
    now.getTime(),
  );
}

/** Keeps a self-assessment. */
export async function saveAssessment(tx: Tx, personId: string, a: { kind: string; role: string; answers: Record<string, number> }): Promise<void> {
  await tx.assessment.create({ data: { id: randomUUID(), personId, kind: a.kind, role: a.role, answers: a.answers } });
}

/** Closes the person's open handover items (they went back to the bot, or stopped). */
export async function closeHandover(tx: Tx, personId: string, now: Date): Promise<void> {
  await tx.inboxItem.updateMany({ where: { personId, kind: 'handover', status: 'open' }, data: { status: 'closed', closedAt: now } });
}
