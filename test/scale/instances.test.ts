import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { localesDir } from '../../src/app.js';
import { toInboundEvent } from '../../src/channels/local/inbound.js';
import { createEngine, type Turn } from '../../src/core/engine.js';
import { createTranslator } from '../../src/core/i18n.js';
import { postgresUrl, postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestPonte, type Delivered, type TestPonte } from '../helpers/ponte.js';
import { waitFor } from '../helpers/wait.js';
import type { ChannelSender } from '../../src/channels/types.js';

const script = ['/start', '1', '1', '3', '2', '1', '1', '3'];

/** What one person should receive for the script, from the engine alone, in order. */
function expectedTexts(): string[] {
  const engine = createEngine({ flows, translator: createTranslator(localesDir, 'en') });
  let last: Turn | undefined;
  const texts: string[] = [];
  for (const line of script) {
    const content = line.startsWith('/') ? ({ kind: 'command', name: line.slice(1) } as const) : ({ kind: 'text', text: line } as const);
    last = engine.handle({ profile: last?.profile ?? null, session: last?.session ?? null, content, now: new Date() });
    texts.push(...last.out.map((m) => ('text' in m ? m.text : '')));
  }
  return texts;
}

describe.skipIf(!postgresUrl)('two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let a: TestPonte;
  let b: TestPonte;
  beforeAll(async () => {
    database = await postgresDatabase();
    a = await startTestPonte(database.url);
    b = await startTestPonte(database.url);
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await database.drop();
  });

  it('handle each person in order and send each reply once, whichever instance gets each message', async () => {
    const people = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const stamped: { who: string; at: number; d: Delivered }[] = [];
    // Each instance's deliveries, stamped with a shared clock so they can be merged in order.
    for (const [instance, sink] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const push = instance.delivered.push.bind(instance.delivered);
      instance.delivered.push = (...items: Delivered[]) => {
        for (const d of items) stamped.push({ who: sink, at: performance.now(), d });
        return push(...items);
      };
    }
    await Promise.all(
      people.map(async (person) => {
        // The load balancer alternates: odd messages to one instance, even to the other.
        for (const [i, line] of script.entries()) await (i % 2 === 0 ? a : b).ponte.ingest([toInboundEvent(person, line)]);
      }),
    );
    await Promise.all([a.settle(), b.settle()]);
    await Promise.all([a.settle(), b.settle()]);
    const expected = expectedTexts();
    for (const person of people) {
      const got = stamped
        .filter((s) => s.d.address === person)
        .sort((x, y) => x.at - y.at)
        .map((s) => ('text' in s.d.message ? s.d.message.text : ''));
      expect(got, person).toEqual(expected);
    }
    expect(new Set(stamped.map((s) => s.who))).toEqual(new Set(['a', 'b']));
    const sent = await a.ponte.db.prisma.outboxMessage.count({ where: { status: 'sent' } });
    expect(sent).toBe(people.length * expected.length);
    expect(await a.ponte.db.prisma.inboundEvent.count({ where: { status: 'done' } })).toBe(people.length * script.length);
  });
});

describe.skipIf(!postgresUrl)('a platform cap shared by two instances', () => {
  it('keeps every second’s sends of both instances together within the channel’s rate', async () => {
    const database = await postgresDatabase();
    const sends: number[] = [];
    const capped = (): ChannelSender => ({
      channel: 'capped',
      ratePerSecond: 20,
      ratePerAddress: 0,
      send: async () => {
        sends.push(Date.now());
        return {};
      },
    });
    const a = await startTestPonte(database.url, [capped()]);
    const b = await startTestPonte(database.url, [capped()]);
    try {
      const { enqueueMessages } = await import('../../src/db/outbox.js');
      await a.ponte.db.prisma.$transaction(async (tx) => {
        for (let i = 0; i < 70; i++) await enqueueMessages(tx, { channel: 'capped', address: `x${i}`, personId: null }, [{ kind: 'text', locale: 'en', text: 'hi' }], Date.now());
      });
      a.ponte.outbox.wake();
      b.ponte.outbox.wake();
      await waitFor('all sends', () => sends.length === 70, 20_000);
      const perSecond = new Map<number, number>();
      for (const t of sends) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20);
      expect(perSecond.size).toBeGreaterThanOrEqual(4);
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });
});
