import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Prisma } from './client.js';

export type StaffRole = 'coordinator' | 'admin';

/** Who is acting in the inbox, and so what they may see: every inbox query is given one. */
export interface Scope {
  staffId: string;
  role: StaffRole;
  /** The coordinator's organisation; null for an admin, who sees every organisation. */
  organisationId: string | null;
}

export interface SignedIn extends Scope {
  email: string;
  locale: 'en' | 'pt';
  mustChangePassword: boolean;
}

/** Failed sign-ins in a row before the account is locked for a while. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** A session ends this long after sign-in even when in use. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** How often a session's last-seen time is written (not on every request). */
const TOUCH_EVERY_MS = 60_000;

/** argon2id with the library's defaults (OWASP's 19 MiB, 2 passes). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A one-time password: readable, 16 characters of base32 without look-alikes. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createStaff(
  prisma: Prisma,
  s: { email: string; role: StaffRole; organisationId: string | null; password: string; mustChangePassword: boolean },
): Promise<string> {
  const id = randomUUID();
  await prisma.staff.create({
    data: {
      id,
      email: normaliseEmail(s.email),
      role: s.role,
      organisationId: s.role === 'admin' ? null : s.organisationId,
      passwordHash: await hashPassword(s.password),
      mustChangePassword: s.mustChangePassword,
    },
  });
  return id;
}

/** Sets a new password; a one-time one must be changed at the next sign-in. Other sessions end. */
export async function setPassword(prisma: Prisma, staffId: string, password: string, oneTime: boolean, keepSession?: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await prisma.$transaction([
    prisma.staff.update({ where: { id: staffId }, data: { passwordHash, mustChangePassword: oneTime, failedLogins: 0, lockedUntil: null } }),
    prisma.staffSession.deleteMany({ where: { staffId, ...(keepSession ? { id: { not: sessionId(keepSession) } } : {}) } }),
  ]);
}

/** Disables an account; its sessions end at once. */
export async function disableStaff(prisma: Prisma, staffId: string): Promise<void> {
  await prisma.$transaction([
    prisma.staff.update({ where: { id: staffId }, data: { disabledAt: new Date() } }),
    prisma.staffSession.deleteMany({ where: { staffId } }),
  ]);
}

/**
 * Creates the first admin from INBOX_ADMIN_* when no staff account exists yet. Returns whether
 * any account exists afterwards, so the start log can tell the operator how to get one.
 */
export async function ensureFirstAdmin(prisma: Prisma, admin: { email: string; password: string } | undefined): Promise<'created' | 'exists' | 'none'> {
  if ((await prisma.staff.count()) > 0) return 'exists';
  if (!admin) return 'none';
  await createStaff(prisma, { email: admin.email, role: 'admin', organisationId: null, password: admin.password, mustChangePassword: false });
  return 'created';
}

export type SignInResult = { ok: true; staffId: string } | { ok: false; reason: 'invalid' | 'locked' };

/**
 * Checks a sign-in. Unknown e-mail, wrong password and a disabled account answer alike (no
 * account discovery); repeated failures lock the account for a while, and a locked account
 * refuses even the right password until then.
 */
export async function signIn(prisma: Prisma, email: string, password: string, now: number): Promise<SignInResult> {
  const staff = await prisma.staff.findUnique({ where: { email: normaliseEmail(email) } });
  if (!staff || staff.disabledAt) {
    // The same work as a real check, so timing does not tell which e-mails exist.
    await verify(DUMMY_HASH, password).catch(() => false);
    return { ok: false, reason: 'invalid' };
  }
  if (staff.lockedUntil !== null && Number(staff.lockedUntil) > now) return { ok: false, reason: 'locked' };
  if (await verify(staff.passwordHash, password).catch(() => false)) {
    await prisma.staff.update({ where: { id: staff.id }, data: { failedLogins: 0, lockedUntil: null } });
    return { ok: true, staffId: staff.id };
  }
  const failed = staff.failedLogins + 1;
  const lock = failed >= MAX_FAILED_LOGINS;
  await prisma.staff.update({
    where: { id: staff.id },
    data: { failedLogins: lock ? 0 : failed, lockedUntil: lock ? BigInt(now + LOCKOUT_MS) : staff.lockedUntil },
  });
  return { ok: false, reason: lock ? 'locked' : 'invalid' };
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$JjI6HQvEhr3t1SNRZmsBnQ$RMcTI6fTiO4pYTaC1hgWkcUi4ADdPXoandoe5fFVBwA';

/** The session id stored for a cookie token: a copy of the table gives no usable cookie. */
function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(prisma: Prisma, staffId: string, now: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await prisma.staffSession.create({ data: { id: sessionId(token), staffId, createdAt: BigInt(now), lastSeenAt: BigInt(now) } });
  return token;
}

export async function endSession(prisma: Prisma, token: string): Promise<void> {
  await prisma.staffSession.deleteMany({ where: { id: sessionId(token) } });
}

/** The staff member behind a session token, if the session is live; idle or old sessions end here. */
export async function readSession(prisma: Prisma, token: string, now: number, idleMs: number): Promise<SignedIn | undefined> {
  const id = sessionId(token);
  const session = await prisma.staffSession.findUnique({ where: { id }, include: { staff: true } });
  if (!session) return undefined;
  const { staff } = session;
  if (staff.disabledAt || now - Number(session.lastSeenAt) > idleMs || now - Number(session.createdAt) > SESSION_MAX_MS) {
    await prisma.staffSession.deleteMany({ where: { id } });
    return undefined;
  }
  if (now - Number(session.lastSeenAt) > TOUCH_EVERY_MS) {
    await prisma.staffSession.updateMany({ where: { id }, data: { lastSeenAt: BigInt(now) } });
  }
  return {
    staffId: staff.id,
    role: staff.role === 'admin' ? 'admin' : 'coordinator',
    organisationId: staff.role === 'admin' ? null : staff.organisationId,
    email: staff.email,
    locale: staff.locale === 'pt' ? 'pt' : 'en',
    mustChangePassword: staff.mustChangePassword,
  };
}

/** Staff of one organisation (its coordinators) and every admin: who an urgent case alerts. */
export function staffToAlert(prisma: Prisma, organisationId: string | null) {
  return prisma.staff.findMany({
    where: { disabledAt: null, OR: [{ role: 'admin' }, ...(organisationId ? [{ organisationId }] : [])] },
    select: { id: true, email: true },
  });
}

/**
 * The cookie-signing secret: SESSION_SECRET when set, else one generated on the first start and
 * kept in the database, so every instance and every restart signs alike.
 */
export async function sessionSecret(prisma: Prisma, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const key = 'inbox:session-secret';
  const generated = randomBytes(48).toString('base64url');
  // Two instances starting at once: the first write wins and both read it back.
  await prisma.setting.upsert({ where: { key }, create: { key, value: generated }, update: {} });
  return (await prisma.setting.findUniqueOrThrow({ where: { key } })).value;
}
