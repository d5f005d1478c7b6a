import { randomUUID } from 'node:crypto';
import { formatWhen, type InfoDayView } from '../core/context.js';
import type { Translator } from '../core/i18n.js';
import { personTimeZone } from '../core/registration.js';
import { audit } from './audit.js';
import type { Prisma, Tx } from './client.js';
import { nameOf } from './inbox.js';
import { localeOf, tell } from './outbox.js';
import { inScope, NotFound, type Scope } from './scope.js';

/** Info days shown in chat: the next ones, at most nine (a WhatsApp list holds ten rows with "back"). */
const SHOWN = 9;

/**
 * The upcoming info days a person can see (their organisation's and the programme-wide ones),
 * with whether they are signed up and whether each is full.
 */
export async function upcomingInfoDays(tx: Tx, personId: string | undefined, organisationId: string | null, now: Date): Promise<InfoDayView[]> {
  const days = await tx.infoDay.findMany({
    where: { startsAt: { gt: now }, OR: [{ organisationId: null }, ...(organisationId ? [{ organisationId }] : [])] },
    orderBy: { startsAt: 'asc' },
    take: SHOWN,
    include: { signups: { where: { cancelledAt: null }, select: { personId: true } } },
  });
  return days.map((d) => ({
    id: d.id,
    title: d.title,
    place: d.place,
    startsAt: d.startsAt.toISOString(),
    signedUp: personId !== undefined && d.signups.some((s) => s.personId === personId),
    full: d.capacity !== null && d.signups.length >= d.capacity,
  }));
}

/** Signs a person up (again, if they had cancelled). */
export async function signUpForInfoDay(tx: Tx, infoDayId: string, personId: string): Promise<void> {
  await tx.infoDaySignup.upsert({
    where: { infoDayId_personId: { infoDayId, personId } },
    create: { infoDayId, personId },
    update: { cancelledAt: null, remindedAt: null },
  });
}

export async function cancelInfoDaySignup(tx: Tx, infoDayId: string, personId: string, now: Date): Promise<void> {
  await tx.infoDaySignup.updateMany({ where: { infoDayId, personId, cancelledAt: null }, data: { cancelledAt: now } });
}

/** Creates an info day (for the operator's command line until coordinators have the inbox). */
export async function createInfoDay(
  prisma: Prisma,
  day: { organisationId: string | null; title: string; place: string; startsAt: Date; capacity: number | null },
): Promise<string> {
  const id = randomUUID();
  await prisma.infoDay.create({ data: { id, ...day } });
  return id;
}

/** Signups whose info day starts within `withinMs` and who have not been reminded. */
export function dueInfoDayReminders(tx: Tx, now: Date, withinMs: number) {
  return tx.infoDaySignup.findMany({
    where: { cancelledAt: null, remindedAt: null, infoDay: { startsAt: { gt: now, lte: new Date(now.getTime() + withinMs) } } },
    include: { infoDay: { include: { organisation: { select: { timezone: true } } } }, person: true },
  });
}

/** What a coordinator sets for an info day. */
export interface InfoDayInput {
  title: string;
  place: string;
  startsAt: Date;
  capacity: number | null;
}

/** An info day as the inbox lists it, with its active and cancelled sign-ups counted. */
export interface InfoDayRow {
  id: string;
  organisationId: string | null;
  organisation: { name: string; slug: string; timezone: string } | null;
  title: string;
  place: string;
  startsAt: Date;
  capacity: number | null;
  signedUp: number;
  cancelled: number;
}

/** The time zone a person reads an info day's time in: their own, their organisation's, or the programme's. */
export function readerTimeZone(registration: unknown, dayTimeZone: string | undefined, programmeTimezone: string): string {
  return personTimeZone({ registration, organisation: dayTimeZone ? { timezone: dayTimeZone } : null }, programmeTimezone);
}

/**
 * The info days in scope, upcoming (soonest first) and past (latest first). A coordinator sees
 * their organisation's; an admin also the programme-wide ones, whose sign-ups come from every
 * organisation.
 */
export async function listInfoDays(tx: Tx, scope: Scope, now: Date): Promise<{ upcoming: InfoDayRow[]; past: InfoDayRow[] }> {
  const days = await tx.infoDay.findMany({
    where: inScope(scope),
    include: { organisation: { select: { name: true, slug: true, timezone: true } }, signups: { select: { cancelledAt: true } } },
    orderBy: { startsAt: 'desc' },
    take: 1000,
  });
  const rows = days.map(toRow);
  return { upcoming: rows.filter((d) => d.startsAt > now).reverse(), past: rows.filter((d) => d.startsAt <= now) };
}

function toRow(d: Omit<InfoDayRow, 'signedUp' | 'cancelled'> & { signups: { cancelledAt: Date | null }[] }): InfoDayRow {
  const active = d.signups.filter((s) => s.cancelledAt === null).length;
  return {
    id: d.id,
    organisationId: d.organisationId,
    organisation: d.organisation,
    title: d.title,
    place: d.place,
    startsAt: d.startsAt,
    capacity: d.capacity,
    signedUp: active,
    cancelled: d.signups.length - active,
  };
}

/** One info day in scope; NotFound when missing or another organisation's (or programme-wide, for a coordinator). */
export async function infoDayInScope(tx: Tx, scope: Scope, id: string): Promise<InfoDayRow> {
  const day = await tx.infoDay.findFirst({
    where: { id, ...inScope(scope) },
    include: { organisation: { select: { name: true, slug: true, timezone: true } }, signups: { select: { cancelledAt: true } } },
  });
  if (!day) throw new NotFound('info day');
  return toRow(day);
}

/** The people signed up for an info day in scope, with who has cancelled, in sign-up order. */
export async function infoDaySignups(tx: Tx, scope: Scope, id: string) {
  await infoDayInScope(tx, scope, id);
  const signups = await tx.infoDaySignup.findMany({
    where: { infoDayId: id },
    include: { person: { select: { id: true, registration: true, locale: true, channel: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return signups.map((s) => ({
    personId: s.person.id,
    name: nameOf(s.person.registration),
    locale: s.person.locale,
    channel: s.person.channel,
    signedUpAt: s.createdAt,
    cancelledAt: s.cancelledAt,
  }));
}

/**
 * Creates an info day from the inbox: a coordinator's always belongs to their organisation; an
 * admin's to the organisation chosen, or to the whole programme (null).
 */
export async function addInfoDay(tx: Tx, scope: Scope, organisationId: string | null, day: InfoDayInput): Promise<string> {
  // A coordinator without an organisation must not end up planning for the whole programme.
  if (scope.role !== 'admin' && !scope.organisationId) throw new NotFound('organisation');
  const owner = scope.role === 'admin' ? organisationId : scope.organisationId;
  const id = randomUUID();
  await tx.infoDay.create({ data: { id, organisationId: owner, ...day } });
  await audit(tx, scope, {
    kind: 'change',
    action: 'infoday.create',
    subject: `infoday:${id}`,
    detail: { organisationId: owner, startsAt: day.startsAt.toISOString(), capacity: day.capacity },
  });
  return id;
}

/** Why a change to an info day was refused, by field. */
export class InfoDayRefused extends Error {
  readonly code = 'INFO_DAY_REFUSED';
  constructor(
    readonly field: 'startsAt' | 'capacity',
    readonly reason: 'passed' | 'below_signups',
    readonly signedUp = 0,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InfoDayRefused';
  }
}

/** Tells everyone still signed up for a day, each in their language and time zone; returns how many. */
async function tellSignedUp(
  tx: Tx,
  translator: Translator,
  day: { id: string; title: string; place: string; startsAt: Date; organisation: { timezone: string } | null },
  key: 'infodays-notices:cancelled' | 'infodays-notices:changed',
  programmeTimezone: string,
  now: number,
): Promise<number> {
  const signups = await tx.infoDaySignup.findMany({ where: { infoDayId: day.id, cancelledAt: null }, include: { person: true } });
  for (const { person } of signups) {
    const when = formatWhen(day.startsAt.toISOString(), localeOf(person, translator), readerTimeZone(person.registration, day.organisation?.timezone, programmeTimezone));
    await tell(tx, translator, person, key, { title: day.title, when, place: day.place }, now);
  }
  return signups.length;
}

/**
 * Changes an upcoming info day. When its time or place moves, the people signed up are told in
 * their language, and the day-before reminder is due again for the new time. Returns how many
 * were told.
 */
export async function updateInfoDay(
  tx: Tx,
  scope: Scope,
  translator: Translator,
  id: string,
  day: InfoDayInput,
  programmeTimezone: string,
  now: Date,
): Promise<number> {
  const before = await infoDayInScope(tx, scope, id);
  if (before.startsAt <= now) throw new InfoDayRefused('startsAt', 'passed');
  if (day.capacity !== null && day.capacity < before.signedUp) throw new InfoDayRefused('capacity', 'below_signups', before.signedUp);
  const moved = before.startsAt.getTime() !== day.startsAt.getTime();
  await tx.infoDay.update({ where: { id }, data: day });
  if (moved) await tx.infoDaySignup.updateMany({ where: { infoDayId: id, cancelledAt: null }, data: { remindedAt: null } });
  const told = moved || before.place !== day.place ? await tellSignedUp(tx, translator, { id, ...day, organisation: before.organisation }, 'infodays-notices:changed', programmeTimezone, now.getTime()) : 0;
  await audit(tx, scope, {
    kind: 'change',
    action: 'infoday.update',
    subject: `infoday:${id}`,
    detail: { startsAt: day.startsAt.toISOString(), moved, placeChanged: before.place !== day.place, titleChanged: before.title !== day.title, capacity: day.capacity, told },
  });
  return told;
}

/**
 * Cancels an upcoming info day: the people signed up are told in their language, then the day
 * and its sign-ups are removed (the chat no longer offers it, no reminder goes out). A day that
 * has passed stays, as a record of who came to sign up. Returns how many were told.
 */
export async function cancelInfoDay(tx: Tx, scope: Scope, translator: Translator, id: string, programmeTimezone: string, now: Date): Promise<number> {
  const day = await infoDayInScope(tx, scope, id);
  if (day.startsAt <= now) throw new InfoDayRefused('startsAt', 'passed');
  const told = await tellSignedUp(tx, translator, day, 'infodays-notices:cancelled', programmeTimezone, now.getTime());
  await tx.infoDay.delete({ where: { id } });
  await audit(tx, scope, {
    kind: 'change',
    action: 'infoday.cancel',
    subject: `infoday:${id}`,
    detail: { organisationId: day.organisationId, startsAt: day.startsAt.toISOString(), signedUp: day.signedUp, told },
  });
  return told;
}

/** Where the Telegram bot's username is kept: the deep links and QR codes need it. */
const TELEGRAM_USERNAME_KEY = 'telegram:bot-username';

export async function telegramBotUsername(tx: Tx): Promise<string | undefined> {
  return (await tx.setting.findUnique({ where: { key: TELEGRAM_USERNAME_KEY } }))?.value;
}

/** Keeps the username Telegram gives for the bot (getMe at start), so links need no setting by hand. */
export async function rememberTelegramBotUsername(prisma: Prisma, username: string): Promise<void> {
  await prisma.setting.upsert({ where: { key: TELEGRAM_USERNAME_KEY }, create: { key: TELEGRAM_USERNAME_KEY, value: username }, update: { value: username } });
}

/** Sets (or, with null, forgets) the Telegram bot's username; admins only, the page checks. */
export async function setTelegramBotUsername(tx: Tx, scope: Scope, username: string | null): Promise<void> {
  if (username === null) await tx.setting.deleteMany({ where: { key: TELEGRAM_USERNAME_KEY } });
  else await tx.setting.upsert({ where: { key: TELEGRAM_USERNAME_KEY }, create: { key: TELEGRAM_USERNAME_KEY, value: username }, update: { value: username } });
  await audit(tx, scope, { kind: 'change', action: 'share.telegram_username', subject: 'setting:telegram', detail: { username } });
}
