import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { freePort, runEntry } from '../helpers/spawn.js';


describe('the service (npm start)', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = sqliteDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('starts with no platform variables, answers /readyz within 30 s, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, done } = runEntry('src/main.ts', [], { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 30_000 && status !== 200) {
      status = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    child.kill('SIGTERM');
    const finished = await done;
    expect(finished.code).toBe(0);
    const lines = finished.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; channels?: Record<string, string> });
    expect(lines.find((l) => l.msg === 'ponte is running')?.channels?.telegram).toMatch(/^off/);
    expect(lines.some((l) => l.msg.includes('npm run chat'))).toBe(true);
    // A fresh install tells the operator how to get into the inbox.
    expect(lines.some((l) => l.msg.includes('INBOX_ADMIN_EMAIL') && l.msg.includes('npm run staff -- add'))).toBe(true);
  });

  it('refuses to start on a bad value, with one line naming the variable', async () => {
    const finished = await runEntry('src/main.ts', [], { PORT: 'eighty', DATABASE_URL: database.url }).done;
    expect(finished.code).toBe(1);
    expect(finished.stderr.trim().split('\n')).toHaveLength(1);
    expect(finished.stderr).toContain('PORT');
  });
});
