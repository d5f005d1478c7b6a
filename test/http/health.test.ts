import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { startTestPonte, type TestPonte } from '../helpers/ponte.js';

describe.each(databases)('health and metrics on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let app: TestPonte;
  beforeEach(async () => {
    if (skip) return;
    database = await create();
    app = await startTestPonte(database.url);
  });
  afterEach(async () => {
    if (skip) return;
    await app.stop();
    await database.drop();
  });

  it.skipIf(skip)('answers /healthz and /readyz when the database is migrated', async () => {
    expect((await app.ponte.http.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.ponte.http.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  });

  it.skipIf(skip)('says not ready while a migration is missing', async () => {
    await app.ponte.db.prisma.$executeRawUnsafe(`DELETE FROM "_ponte_migrations"`);
    const ready = await app.ponte.http.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
  });

  it.skipIf(skip)('exposes counts by channel, outbox depth and latency in Prometheus text', async () => {
    await app.say('ana', '/start');
    const res = await app.ponte.http.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('ponte_inbound_events_total{channel="local"} 1');
    expect(res.body).toMatch(/ponte_outbound_messages_total\{channel="local",result="sent"\} 1/);
    expect(res.body).toContain('ponte_outbox_depth 0');
    expect(res.body).toContain('ponte_inbound_handle_seconds_bucket');
  });

  it.skipIf(skip)('answers an unknown route with 404 and no internals', async () => {
    const res = await app.ponte.http.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
  });
});
