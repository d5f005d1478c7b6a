import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { handoverFrom, signedIn, startInboxWorld, type InboxClient, type InboxWorld } from '../helpers/inbox.js';

/** Hostile values for every field of every inbox form. */
const hostile = [
  '',
  ' ',
  'x'.repeat(4096),
  'y'.repeat(70_000),
  '\u202Eevil\u202C',
  'zero\u200Bwidth\u200D',
  '<script>alert(1)</script>',
  "'; DROP TABLE \"Case\"; --",
  '../../etc/passwd',
  '-1',
  '1e309',
  '2027-02-30',
  '25:99',
  '\uFFFD\uD800',
  'null',
];

describe('every inbox form against malformed and hostile input', () => {
  let database: TestDatabase;
  let world: InboxWorld;
  let client: InboxClient;
  let person: string;

  beforeAll(async () => {
    database = sqliteDatabase();
    world = await startInboxWorld(database.url);
    person = await handoverFrom(world, 'fz');
    client = await signedIn(world, world.staff.admin);
  });
  afterAll(async () => {
    await world.stop();
    await database.drop();
  });

  it('answers each with a page or a reason, never a 5xx, and keeps running', async () => {
    const routes = world.app.ponte.http
      .routeList()
      .filter((r) => r.url.startsWith('/inbox') && r.method === 'POST' && !['/inbox/login', '/inbox/logout', '/inbox/password', '/inbox/language'].includes(r.url));
    expect(routes.length).toBeGreaterThan(15);
    const fields = ['text', 'note', 'reason', 'severity', 'status', 'action', 'outcome', 'kind', 'happened', 'description', 'mentorId', 'staffId', 'date', 'time', 'minutes', 'place', 'title', 'startsAt', 'capacity', 'to', 'reporterId', 'subjectId', 'pairId', 'organisationId', 'username', 'danger', 'involvesMinor', 'contactOk'];
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const route of routes) {
      for (const id of [person, 'x'.repeat(300), "'"]) {
        const path = route.url.replace(/:[a-zA-Z]+/g, encodeURIComponent(id));
        for (const value of hostile) {
          await client.get('/inbox');
          const res = await client.post(path, Object.fromEntries(fields.map((f) => [f, value])));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) failures.push(`${res.status} POST ${route.url} (${JSON.stringify(value.slice(0, 20))})`);
        }
        // Wrong types and shapes as JSON, with the token in the header.
        for (const body of ['{"text": {"$gt": ""}}', '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]', '{"text": 12, "minutes": "sixty"}', '{', '\u0000']) {
          const res = await fetch(`${world.base}${path}`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie: client.cookieHeader(), 'content-type': 'application/json', 'x-csrf-token': client.csrf ?? '', accept: 'text/html' },
            body,
          });
          if (res.status >= 500) failures.push(`${res.status} POST ${route.url} JSON ${body.slice(0, 20)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The forms were read and refused for what they held (400, 404), not stopped at the door (403).
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(403) ?? 0).toBe(0);
    expect((await client.get('/inbox')).status).toBe(200);
  });
});
