import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localesDir } from '../../../src/app.js';
import { createWhatsAppSender } from '../../../src/channels/whatsapp/client.js';
import { loadConfig } from '../../../src/config.js';
import type { OutboundMessage } from '../../../src/core/events.js';
import { createTranslator } from '../../../src/core/i18n.js';
import type { Db } from '../../../src/db/client.js';
import { enqueueMessages } from '../../../src/db/outbox.js';
import { NetworkError, PlatformError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { startGraphDouble, type GraphDouble } from '../../doubles/graph-api.js';
import { waitFor } from '../../helpers/wait.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { PHONE_NUMBER_ID, startWhatsAppPonte, textFrom, TOKEN, wordsOf, type WhatsAppPonte } from './harness.js';

const PT = '351912345678';
const HOUR = 3600_000;

describe('sending to WhatsApp through the outbox', () => {
  let database: TestDatabase;
  let wa: WhatsAppPonte | undefined;

  beforeEach(() => {
    database = sqliteDatabase();
  });
  afterEach(async () => {
    await wa?.stop().catch(() => undefined);
    wa = undefined;
    await database.drop();
  });

  /** Queues messages for a known person and waits until the outbox has handled them. */
  async function queue(address: string, messages: OutboundMessage[]): Promise<void> {
    const person = await wa!.ponte.db.prisma.person.findFirstOrThrow({ where: { address } });
    await wa!.ponte.db.prisma.$transaction((tx) => enqueueMessages(tx, { channel: 'whatsapp', address, personId: person.id }, messages, Date.now()));
    wa!.ponte.outbox.wake();
    await wa!.settle();
  }

  it('sends the template to a person who last wrote more than 24 hours ago, free-form to one who wrote lately', async () => {
    wa = await startWhatsAppPonte(database.url);
    await wa.exchange(PT, textFrom(PT, 'Olá'));
    const reminder: OutboundMessage = { kind: 'text', locale: 'pt', text: 'Lembrete:\n\nA sua sessão com a mentora é amanhã às 18h.' };
    await queue(PT, [reminder]);
    expect(wa.double.acceptedFor(PT).at(-1)).toMatchObject({ type: 'text', body: { text: { body: reminder.text } } });

    await wa.ponte.db.prisma.person.updateMany({ where: { address: PT }, data: { lastInboundAt: new Date(Date.now() - 25 * HOUR) } });
    const question: OutboundMessage = { kind: 'choices', locale: 'pt', text: 'Correu bem?', choices: [{ id: '9.yes', label: 'Sim' }, { id: '9.no', label: 'Não' }] };
    await queue(PT, [reminder, question]);
    const [first, second] = wa.double.acceptedFor(PT).slice(-2);
    expect(first).toMatchObject({ type: 'template', body: { template: { name: 'ponte_update', language: { code: 'pt_PT' } } } });
    expect(wordsOf(first!)).toBe('Lembrete: · A sua sessão com a mentora é amanhã às 18h.');
    expect(second).toMatchObject({ type: 'template' });
    expect(wordsOf(second!)).toBe('Correu bem? · 1. Sim 2. Não');
    expect(wa.double.refused).toEqual([]);
  });

  it('switches to the template when WhatsApp says the window is closed (131047)', async () => {
    wa = await startWhatsAppPonte(database.url);
    wa.double.closedWindow.add(PT);
    const replies = await wa.exchange(PT, textFrom(PT, 'Olá'));
    expect(wa.double.refused.map((r) => r.code)).toEqual([131047]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'template', body: { template: { name: 'ponte_update', language: { code: 'pt_PT' } } } });
    expect(wordsOf(replies[0]!)).toContain(wa.ponte.translator.t('pt', 'onboarding:welcome_choices.yes'));
    const row = await wa.ponte.db.prisma.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', platformMessageId: replies[0]!.id, attempts: 1 });
  });

  it('backs off on 130429 and delivers every message exactly once', async () => {
    // Our own limit off: only the platform's throttling answers slow the outbox down.
    wa = await startWhatsAppPonte(database.url, { rate: 0, doubleRate: 4 });
    const people = Array.from({ length: 14 }, (_, i) => `35191000${String(i).padStart(4, '0')}`);
    const answers = await Promise.all(people.map((p) => wa!.post(textFrom(p, 'Olá'))));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    // Throttled messages wait for their retry time, which `settle` does not wait for.
    await waitFor('every message sent', async () => (await wa!.ponte.db.prisma.outboxMessage.count({ where: { status: 'sent' } })) === people.length, 20_000);
    expect(wa.double.refused.filter((r) => r.code === 130429).length).toBeGreaterThan(0);
    for (const p of people) expect(wa.double.acceptedFor(p), p).toHaveLength(1);
    expect(wa.double.accepted).toHaveLength(people.length);
    const rows = await wa.ponte.db.prisma.outboxMessage.findMany();
    expect(rows.map((r) => r.status)).toEqual(people.map(() => 'sent'));
    // Never more than the cap within any second.
    const times = wa.double.accepted.map((a) => a.at);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(4);
  });

  it('marks a number that is not on WhatsApp (131026) unreachable, with an inbox item, without retrying', async () => {
    wa = await startWhatsAppPonte(database.url);
    wa.double.unknownNumbers.add(PT);
    expect(await wa.exchange(PT, textFrom(PT, 'Olá'))).toEqual([]);
    const person = await wa.ponte.db.prisma.person.findFirstOrThrow({ where: { address: PT } });
    expect(person.unreachableAt).not.toBeNull();
    expect(await wa.ponte.db.prisma.inboxItem.findMany()).toMatchObject([{ kind: 'unreachable', personId: person.id }]);
    const row = await wa.ponte.db.prisma.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toContain('131026');
    expect(wa.double.refused.map((r) => r.code)).toEqual([131026]);
  });
});

describe('the WhatsApp sender', () => {
  let double: GraphDouble;
  const t = createTranslator(localesDir, 'en');
  const open = () => ({ lastInboundAt: Date.now() });

  function sender(url = double.url, token = TOKEN) {
    const config = loadConfig({ WHATSAPP_ACCESS_TOKEN: token, WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID, WHATSAPP_APP_SECRET: 's', WHATSAPP_API_URL: url }).whatsapp!;
    return createWhatsAppSender({ config, db: {} as Db, translator: t, log: createLogger('silent') });
  }

  beforeEach(async () => {
    double = await startGraphDouble({ token: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  });
  afterEach(() => double.close());

  it('resumes a message of several parts after the part that failed, sending none twice', async () => {
    const s = sender();
    const message: OutboundMessage = {
      kind: 'choices',
      locale: 'en',
      text: `${'Some context. '.repeat(100)}\n\nDo you agree?`,
      choices: [
        { id: '4.yes', label: 'Yes' },
        { id: '4.no', label: 'No' },
      ],
    };
    double.ratePerSecond = 1;
    const first = await s.send(PT, message, open()).catch((err: unknown) => err);
    expect(first).toBeInstanceOf(PlatformError);
    expect((first as PlatformError).details).toMatchObject({ platformCode: 130429, scope: 'channel', retryAfterSec: 1 });
    expect(double.accepted.map((a) => a.type)).toEqual(['text']);
    await new Promise((r) => setTimeout(r, 1100));
    const { platformMessageId } = await s.send(PT, message, open());
    expect(double.accepted.map((a) => a.type)).toEqual(['text', 'interactive']);
    expect(platformMessageId).toBe(double.accepted[1]!.id);
  });

  it('maps Graph errors: throttling and pair rate retry later, bad parameters are permanent', async () => {
    const s = sender();
    const tooLong = { kind: 'template', locale: 'en', name: '', params: [], text: '' } as OutboundMessage;
    const invalid = await s.send(PT, tooLong, open()).catch((err: unknown) => err);
    expect(invalid).toBeInstanceOf(PlatformError);
    expect((invalid as PlatformError).details).toMatchObject({ platformCode: 100, permanent: true });

    const wrongToken = await sender(double.url, 'expired').send(PT, { kind: 'text', locale: 'en', text: 'hi' }, open()).catch((err: unknown) => err);
    expect((wrongToken as PlatformError).details).toMatchObject({ status: 401, platformCode: 190 });
    expect((wrongToken as PlatformError).details.permanent).toBeUndefined();

    double.failNext.push({ code: 131056 }, { code: 130429, retryAfter: '3' }, { code: 131000, status: 500 }, { code: 131051 });
    const text: OutboundMessage = { kind: 'text', locale: 'en', text: 'hi' };
    const errors = [];
    for (let i = 0; i < 4; i += 1) errors.push(((await s.send(PT, text, open()).catch((err: unknown) => err)) as PlatformError).details);
    expect(errors).toMatchObject([
      { platformCode: 131056, scope: 'address', retryAfterSec: 6 },
      { platformCode: 130429, scope: 'channel', retryAfterSec: 3 },
      { platformCode: 131000, status: 500 },
      { platformCode: 131051, permanent: true },
    ]);
    expect(errors[2]!.permanent).toBeUndefined();
    expect(double.accepted).toHaveLength(0);

    const closed = await double.close().then(() => sender().send(PT, { kind: 'text', locale: 'en', text: 'hi' }, open()).catch((err: unknown) => err));
    expect(closed).toBeInstanceOf(NetworkError);
    double = await startGraphDouble({ token: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  });
});
