import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPonte, type Ponte } from '../../src/app.js';
import { createBotFrameworkChannel } from '../../src/channels/botframework/index.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { createWhatsAppChannel } from '../../src/channels/whatsapp/index.js';
import { InboundEvent } from '../../src/core/events.js';
import { loadConfig } from '../../src/config.js';
import { readPayload } from '../../src/db/inbound-events.js';
import { createLogger } from '../../src/log.js';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-api.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { root } from '../helpers/spawn.js';

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const hostileStrings = [
  '\u202Egnirts desrever\u202C',
  'zero\u200Bwidth\u200D\uFEFF',
  'x'.repeat(4096),
  'ب'.repeat(4097),
  '\uD800 lone surrogate',
  '\u0000nul',
  '{{summary}} {{__proto__}}',
  '<script>alert(1)</script>',
  '🙂'.repeat(1500),
  '',
];
const hostileValues: unknown[] = [...hostileStrings, null, true, -1, 1e308, 3.5, [], {}, { __proto__: { polluted: true } }, [[[[[]]]]]];

/** A copy of `value` with one part changed: a wrong type, a hostile string, a key removed or added. */
function mutate(value: unknown, rnd: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  if (value === null || typeof value !== 'object' || depth > 6 || rnd() < 0.15) return pick(hostileValues);
  if (Array.isArray(value)) return value.length && rnd() < 0.8 ? value.map((v, i) => (i === 0 ? mutate(v, rnd, depth + 1) : v)) : pick(hostileValues);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return { [pick(['x', 'message', 'entry'])]: pick(hostileValues) };
  const [key] = pick(entries);
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const roll = rnd();
  if (roll < 0.2) delete copy[key];
  else if (roll < 0.3) copy[`extra_${Math.floor(rnd() * 100)}`] = pick(hostileValues);
  else copy[key] = mutate(copy[key], rnd, depth + 1);
  return copy;
}

const fixtures = (channel: string) =>
  readdirSync(join(root, 'test/fixtures', channel))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(root, 'test/fixtures', channel, f), 'utf8')) as unknown);

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('hostile input to every webhook', () => {
  let database: TestDatabase;
  let double: TelegramDouble;
  let ponte: Ponte;
  const APP_SECRET = 'fuzz-secret';

  beforeAll(async () => {
    database = sqliteDatabase();
    double = await startTelegramDouble({ perChatPerSecond: 1_000_000 });
    const config = loadConfig({
      DATABASE_URL: database.url,
      PUBLIC_URL: 'https://ponte.example',
      TELEGRAM_BOT_TOKEN: double.token,
      TELEGRAM_WEBHOOK_SECRET: 'fuzz_secret',
      TELEGRAM_API_ROOT: double.url,
      WHATSAPP_ACCESS_TOKEN: 't',
      WHATSAPP_PHONE_NUMBER_ID: '1',
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_API_URL: 'http://127.0.0.1:9',
    });
    ponte = await createPonte({ config, log: createLogger('silent'), channels: [createTelegramChannel, createWhatsAppChannel, createBotFrameworkChannel], pollMs: 50 });
    await ponte.start();
  });
  afterAll(async () => {
    await ponte.stop();
    await double.close();
    await database.drop();
  });

  const send = (route: string, payload: string | Buffer) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (route === '/webhooks/telegram') headers['x-telegram-bot-api-secret-token'] = 'fuzz_secret';
    if (route === '/webhooks/whatsapp') headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', APP_SECRET).update(payload).digest('hex')}`;
    return ponte.http.inject({ method: 'POST', url: route, headers, payload });
  };

  const routes: [string, string][] = [
    ['/webhooks/telegram', 'telegram'],
    ['/webhooks/whatsapp', 'whatsapp'],
    ['/api/messages', 'botframework'],
  ];

  it.each(routes)('%s never answers 5xx to mutated, truncated, oversized or deeply nested bodies', async (route, channel) => {
    const rnd = random(route.length * 7919);
    const bodies: (string | Buffer)[] = [deep(20_000), '{"a":' + deep(5000) + '}', 'null', '[]', '"x"', '{', Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'x'.repeat(1024 * 1024 + 10)];
    for (const base of fixtures(channel)) {
      const text = JSON.stringify(base);
      for (let i = 0; i < 25; i++) bodies.push(JSON.stringify(mutate(base, rnd)));
      for (let i = 0; i < 5; i++) bodies.push(text.slice(0, Math.floor(rnd() * text.length)));
    }
    for (const body of bodies) {
      const res = await send(route, body);
      expect(res.statusCode, `${route} ${String(body).slice(0, 120)}`).toBeLessThan(500);
    }
    const health = await ponte.http.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });

  it('stores only whole events: every stored event reads back as a valid inbound event', async () => {
    await ponte.processor.idle();
    const events = await ponte.db.prisma.inboundEvent.findMany();
    for (const e of events) {
      expect(InboundEvent.shape.channel.safeParse(e.channel).success).toBe(true);
      if (e.payload !== null) expect(readPayload(e.payload), `event ${e.id}`).toBeDefined();
    }
    const failed = await ponte.db.prisma.inboundEvent.count({ where: { status: 'failed' } });
    expect(failed).toBe(0);
  });
});
