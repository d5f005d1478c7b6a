import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { createSession } from '../../src/db/staff.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { InboxClient } from '../helpers/inbox.js';
import { startTestPonte } from '../helpers/ponte.js';
import { runEntry } from '../helpers/spawn.js';

describe('npm run staff', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = sqliteDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });
  const staff = (...args: string[]) => runEntry('src/cli/staff.ts', args, { DATABASE_URL: database.url }).done;

  it('refuses bad arguments with one line and exit code 2', async () => {
    for (const args of [[], ['add', '--email', 'not-an-email', '--role', 'admin'], ['add', '--email', 'c@example.org', '--role', 'coordinator'], ['add', '--email', 'c@example.org', '--role', 'boss'], ['disable', '--email', 'nobody@example.org']]) {
      const done = await staff(...args);
      expect(done.code, args.join(' ')).toBe(2);
      expect(done.stderr.split('\n')[0]).toMatch(/^staff: /);
    }
  });

  it('adds a coordinator with a one-time password that must be changed at the first sign-in, resets and disables', async () => {
    expect((await runEntry('src/cli/org.ts', ['add', '--slug', 'lisboa', '--name', 'Lisboa Acolhe'], { DATABASE_URL: database.url }).done).code).toBe(0);
    const added = await staff('add', '--email', 'Marta@Example.org', '--role', 'coordinator', '--org', 'lisboa');
    expect(added.code, added.stderr).toBe(0);
    const oneTime = /one-time password[^:]*: (\S+)/.exec(added.stdout)![1]!;
    expect(oneTime).toHaveLength(16);

    const app = await startTestPonte(database.url);
    try {
      await app.ponte.http.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.ponte.http.server.address() as { port: number };
      const browser = new InboxClient(`http://127.0.0.1:${port}`);
      expect((await browser.signIn('marta@example.org', oneTime)).status).toBe(303);
      const forced = await browser.get('/inbox');
      expect([forced.status, forced.location]).toEqual([303, '/inbox/password']);
      await browser.get('/inbox/password');
      const changed = await browser.post('/inbox/password', { current: oneTime, password: 'my own good password', repeat: 'my own good password' });
      expect(changed.status).toBe(303);
      expect((await browser.get('/inbox')).status).toBe(200);

      const reset = await staff('reset', '--email', 'marta@example.org');
      const fresh = /: (\S+)$/m.exec(reset.stdout)![1]!;
      expect((await browser.get('/inbox')).status).toBe(303);
      expect((await new InboxClient(`http://127.0.0.1:${port}`).signIn('marta@example.org', 'my own good password')).status).toBe(401);
      expect((await new InboxClient(`http://127.0.0.1:${port}`).signIn('marta@example.org', fresh)).status).toBe(303);
    } finally {
      await app.stop();
    }

    const db = await openDb(database.url);
    const marta = await db.prisma.staff.findUniqueOrThrow({ where: { email: 'marta@example.org' } });
    expect(marta.passwordHash).toMatch(/^\$argon2id\$/);
    await createSession(db.prisma, marta.id, Date.now());
    await db.close();
    const disabled = await staff('disable', '--email', 'marta@example.org');
    expect(disabled.code).toBe(0);
    const after = await openDb(database.url);
    expect(await after.prisma.staffSession.count({ where: { staffId: marta.id } })).toBe(0);
    expect((await after.prisma.staff.findUniqueOrThrow({ where: { id: marta.id } })).disabledAt).not.toBeNull();
    await after.close();
    const list = await staff('list');
    expect(list.stdout).toContain('marta@example.org\tcoordinator\tlisboa\tdisabled');
  });
});
