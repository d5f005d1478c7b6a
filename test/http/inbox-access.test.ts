import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCKOUT_MS, MAX_FAILED_LOGINS } from '../../src/db/staff.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { InboxClient, PASSWORD, chat, handoverFrom, signedIn, startInboxWorld, type InboxWorld } from '../helpers/inbox.js';

/** Every inbox route Fastify knows, with a made-up id in each parameter. */
function inboxRoutes(world: InboxWorld): { method: string; path: string }[] {
  return world.app.ponte.http
    .routeList()
    .filter((r) => r.url.startsWith('/inbox') && !r.url.startsWith('/inbox/assets') && r.method !== 'HEAD')
    .map((r) => ({ method: r.method, path: r.url.replace(/:[a-zA-Z]+/g, 'x1') }));
}

describe.each(databases)('the coordinator inbox’s access rules on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let world: InboxWorld;
  beforeEach(async () => {
    if (skip) return;
    database = await create();
    world = await startInboxWorld(database.url);
  });
  afterEach(async () => {
    if (skip) return;
    await world.stop();
    await database.drop();
  });

  it.skipIf(skip)('answers no page or API without a session: a browser is sent to sign in, anything else gets 401', async () => {
    const routes = inboxRoutes(world);
    expect(routes.length).toBeGreaterThan(8);
    for (const { method, path } of routes) {
      if (path === '/inbox/login') continue;
      const html = await fetch(`${world.base}${path}`, { method, redirect: 'manual', headers: { accept: 'text/html' } });
      if (method === 'GET') {
        expect([html.status, html.headers.get('location')?.startsWith('/inbox/login?next=')], `${method} ${path}`).toEqual([303, true]);
      } else {
        expect(html.status, `${method} ${path}`).toBe(401);
      }
      const api = await fetch(`${world.base}${path}`, { method, redirect: 'manual', headers: { accept: 'application/json' } });
      expect(api.status, `${method} ${path} as an API call`).toBe(401);
    }
  });

  it.skipIf(skip)('signs in with httpOnly, SameSite cookies and serves the pages under a strict policy', async () => {
    const client = new InboxClient(world.base);
    const login = await client.get('/inbox/login');
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    const res = await client.post('/inbox/login', { email: world.staff.coordA, password: PASSWORD });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ponte_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/inbox/i);
    const queue = await client.get('/inbox');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain('<h1>Queue</h1>');
    // The inbox's headers stay in the inbox: a webhook answers as before.
    const health = await fetch(`${world.base}/healthz`);
    expect(health.headers.get('content-security-policy')).toBeNull();
  });

  it.skipIf(skip)('refuses a change without the CSRF token, or with another session’s', async () => {
    const person = await handoverFrom(world, 'h1');
    const a = await signedIn(world, world.staff.coordA);
    const a2 = await signedIn(world, world.staff.coordA2);
    expect((await a.post(`/inbox/people/${person}/reply`, { text: 'Hello' }, { csrf: false })).status).toBe(403);
    expect((await a.post(`/inbox/people/${person}/reply`, { text: 'Hello', _csrf: a2.csrf! })).status).toBe(403);
    expect((await a.post('/inbox/logout', {}, { csrf: false })).status).toBe(403);
    expect(await world.app.ponte.db.prisma.handoverMessage.count({ where: { direction: 'out' } })).toBe(0);
    expect((await a.post(`/inbox/people/${person}/reply`, { text: 'Hello' })).status).toBe(303);
  });

  it.skipIf(skip)('locks an account after repeated failures, even against the right password, until the lock ends', async () => {
    const client = new InboxClient(world.base);
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i += 1) {
      const res = await client.signIn(world.staff.coordA, 'not the password at all');
      expect(res.status).toBe(401);
      expect(res.text).toContain('do not match');
    }
    const locking = await client.signIn(world.staff.coordA, 'not the password at all');
    expect(locking.status).toBe(429);
    const refused = await client.signIn(world.staff.coordA, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('locked');
    // An unknown address is told the same as a wrong password: no account discovery.
    const unknown = await client.signIn('nobody@example.org', PASSWORD);
    expect([unknown.status, unknown.text.includes('do not match')]).toEqual([401, true]);
    await world.app.ponte.db.prisma.staff.update({ where: { email: world.staff.coordA }, data: { lockedUntil: BigInt(Date.now() - 1) } });
    expect((await client.signIn(world.staff.coordA, PASSWORD)).status).toBe(303);
    expect(LOCKOUT_MS).toBeGreaterThanOrEqual(15 * 60_000);
  });

  it.skipIf(skip)('ends a session after the idle time and when the account is disabled', async () => {
    const client = await signedIn(world, world.staff.coordA);
    const prisma = world.app.ponte.db.prisma;
    await prisma.staffSession.updateMany({ data: { lastSeenAt: BigInt(Date.now() - 31 * 60_000) } });
    expect((await client.get('/inbox')).status).toBe(303);
    const again = await signedIn(world, world.staff.coordA);
    await prisma.staff.update({ where: { email: world.staff.coordA }, data: { disabledAt: new Date() } });
    expect((await again.get('/inbox')).status).toBe(303);
    expect((await new InboxClient(world.base).signIn(world.staff.coordA)).status).toBe(401);
  });

  it.skipIf(skip)('shows a coordinator only their organisation: 404 for another’s people, their replies and their files', async () => {
    const inA = await handoverFrom(world, 'ha', 'a');
    const inB = await handoverFrom(world, 'hb', 'b');
    const a = await signedIn(world, world.staff.coordA);
    const b = await signedIn(world, world.staff.coordB);
    const admin = await signedIn(world, world.staff.admin);

    const queueA = await a.get('/inbox');
    expect(queueA.text).toContain(`/inbox/people/${inA}`);
    expect(queueA.text).not.toContain(`/inbox/people/${inB}`);
    const queueAdmin = await admin.get('/inbox');
    expect(queueAdmin.text).toContain(`/inbox/people/${inA}`);
    expect(queueAdmin.text).toContain(`/inbox/people/${inB}`);
    expect((await a.get('/inbox/people')).text).not.toContain(inB);

    expect((await b.get(`/inbox/people/${inA}`)).status).toBe(404);
    expect((await b.post(`/inbox/people/${inA}/reply`, { text: 'hi' })).status).toBe(404);
    expect((await b.post(`/inbox/people/${inA}/handback`)).status).toBe(404);
    expect((await b.post(`/inbox/people/${inA}/close`)).status).toBe(404);
    expect((await b.get(`/inbox/people/${inA}/media/1`)).status).toBe(404);
    expect((await b.get(`/inbox/events?watch=person:${inA}`)).status).toBe(404);
    expect((await a.get(`/inbox/people/${inA}`)).status).toBe(200);
    expect(await world.app.ponte.db.prisma.handoverMessage.count({ where: { direction: 'out' } })).toBe(0);
  });

  it.skipIf(skip)('records views of special-category data and every change in an audit trail only admins read', async () => {
    // A mentor who shared their migration background, in organisation a.
    const prisma = world.app.ponte.db.prisma;
    await chat(world.app, 'mentor1', ['/start org-a', '1', '1']);
    const registration = {
      role: 'mentor', name: 'Rui', ageRange: '36_50', languages: ['pt', 'en'], area: 'Lisboa', gender: 'man', contactTimes: ['evenings'],
      expertise: ['work'], capacity: 2, migrationBackground: 'yes', training: 'done', ethicsAcknowledgedAt: '2026-11-01T10:00:00Z', completedAt: '2026-11-01T10:00:00Z',
    };
    const mentor = await prisma.person.update({ where: { channel_address: { channel: 'local', address: 'mentor1' } }, data: { role: 'mentor', registration } });
    const a = await signedIn(world, world.staff.coordA);
    const plain = await a.get(`/inbox/people/${mentor.id}`);
    expect(plain.text).toContain('Special-category data');
    expect(plain.text).not.toContain('Migration background');
    expect(await prisma.auditEntry.count({ where: { action: 'person.view_special' } })).toBe(0);
    const shown = await a.get(`/inbox/people/${mentor.id}?special=1`);
    expect(shown.text).toContain('Migration background');
    const person = await handoverFrom(world, 'h2');
    await a.get(`/inbox/people/${person}`);
    await a.post(`/inbox/people/${person}/reply`, { text: 'Olá' });

    const entries = await prisma.auditEntry.findMany({ orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.staffId, e.kind, e.action, e.subject])).toEqual([
      [world.staffIds.coordA, 'view', 'person.view_special', `person:${mentor.id}`],
      [world.staffIds.coordA, 'change', 'reply.send', `person:${person}`],
    ]);
    expect(JSON.stringify(entries)).not.toContain('Olá');
    expect((await a.get('/inbox/audit')).status).toBe(404);
    const admin = await signedIn(world, world.staff.admin);
    const log = await admin.get(`/inbox/audit?subject=person:${mentor.id}`);
    expect(log.text).toContain('person.view_special');
    expect(log.text).toContain(world.staff.coordA);
    expect(log.text).not.toContain('reply.send');
  });

  it.skipIf(skip)('keeps supervision times to their organisation: offered, listed and withdrawn only there', async () => {
    const a = await signedIn(world, world.staff.coordA);
    const b = await signedIn(world, world.staff.coordB);
    await a.get('/inbox/supervision');
    expect((await a.post('/inbox/supervision', { date: '2099-03-10', time: '17:30', minutes: '30', place: 'Sala 2' })).status).toBe(303);
    expect((await a.post('/inbox/supervision', { date: '2099-03-10', time: 'half past five', minutes: '30', place: 'Sala 2' })).status).toBe(400);
    const slot = await world.app.ponte.db.prisma.supervisionSlot.findFirstOrThrow();
    expect(slot.organisationId).toBe(world.orgs.a.id);
    expect((await a.get('/inbox/supervision')).text).toContain('Sala 2');
    expect((await b.get('/inbox/supervision')).text).not.toContain('Sala 2');
    expect((await b.post(`/inbox/supervision/${slot.id}/withdraw`)).status).toBe(404);
    expect((await a.post(`/inbox/supervision/${slot.id}/withdraw`)).status).toBe(303);
    expect(await world.app.ponte.db.prisma.supervisionSlot.count()).toBe(0);
  });
});
