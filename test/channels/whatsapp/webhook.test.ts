import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toInboundEvents, WhatsAppWebhook } from '../../../src/channels/whatsapp/inbound.js';
import type { InboundContent } from '../../../src/core/events.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { waitFor } from '../../helpers/wait.js';
import { firstOf, fixture, messageFrom, sign, startWhatsAppPonte, statusFor, textFrom, VERIFY_TOKEN, wamid, wordsOf, type WhatsAppPonte } from './harness.js';

const PT = '351912345678';
const AR = '963944123456';
const US = '16505551234';

describe('the WhatsApp webhook', () => {
  let database: TestDatabase;
  let wa: WhatsAppPonte;

  beforeEach(async () => {
    database = sqliteDatabase();
    wa = await startWhatsAppPonte(database.url);
  });
  afterEach(async () => {
    await wa.stop().catch(() => undefined);
    await database.drop();
  });

  it('refuses a wrong, missing or malformed signature (401, nothing stored)', async () => {
    const raw = JSON.stringify(textFrom(PT, 'Olá'));
    const refusals = [
      sign(raw, 'not-the-app-secret'),
      null,
      sign(`${raw} `),
      sign(raw).replace('sha256=', 'sha1='),
      sign(raw).slice(0, -2),
      `sha256=${'zz'.repeat(32)}`,
    ];
    for (const signature of refusals) {
      const res = await wa.post(raw, signature);
      expect(res.statusCode, String(signature)).toBe(401);
    }
    await wa.settle();
    expect(await wa.storedEvents()).toBe(0);
    expect(wa.double.accepted).toHaveLength(0);
    // The same body, rightly signed, goes through: the refusals were about the signature.
    expect((await wa.post(raw)).statusCode).toBe(200);
    expect(await wa.storedEvents()).toBe(1);
  });

  it('checks the signature over the raw bytes, whatever the characters', async () => {
    // Arabic sent as UTF-8 (not \u escapes): a check over re-serialised JSON would differ.
    const raw = JSON.stringify(textFrom(AR, 'مرحبا، أريد مساعدة'));
    expect(raw).toContain('مرحبا');
    expect((await wa.post(raw, sign(Buffer.from(raw, 'utf8')))).statusCode).toBe(200);
    expect((await wa.post(raw.replace('مرحبا', 'مرحبًا'), sign(Buffer.from(raw, 'utf8')))).statusCode).toBe(401);
    expect(await wa.storedEvents()).toBe(1);
  });

  it('answers the verification handshake with the challenge, and 403 otherwise', async () => {
    const get = (query: string) => wa.ponte.http.inject({ method: 'GET', url: `/webhooks/whatsapp?${query}` });
    const ok = await get(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1',
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      `hub.mode=subscribe&hub.challenge=1`,
      `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}`,
    ]) {
      expect((await get(query)).statusCode, query).toBe(403);
    }
  });

  it('answers 400 to malformed JSON and to a body that is not WhatsApp’s shape, storing nothing', async () => {
    const bad = [
      '{"object":"whatsapp_business_account","entry":[',
      'not json at all',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ object: 'page', entry: [] }),
      JSON.stringify({ ...fixture('text'), entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [{ id: 'wamid.X', type: 'text' }] } }] }] }),
    ];
    for (const raw of bad) expect((await wa.post(raw)).statusCode, raw).toBe(400);
    expect(await wa.storedEvents()).toBe(0);
    // The service carries on.
    expect((await wa.post(textFrom(US, 'hello'))).statusCode).toBe(200);
    expect(await wa.storedEvents()).toBe(1);
  });

  it('answers 413 to an oversized body, storing nothing', async () => {
    const huge = JSON.stringify(textFrom(US, 'x'.repeat(1024 * 1024)));
    expect((await wa.post(huge)).statusCode).toBe(413);
    expect(await wa.storedEvents()).toBe(0);
  });

  it('answers a redelivered message (same wamid) once', async () => {
    const body = textFrom(US, 'hello', wamid());
    const first = await wa.exchange(US, body);
    const again = await wa.exchange(US, body);
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);
    expect(await wa.storedEvents()).toBe(1);
  });

  it('normalises every inbound message type', () => {
    const expected: Record<string, InboundContent> = {
      text: { kind: 'text', text: 'Does it come in another color?' },
      'interactive-button-reply': { kind: 'choice', choiceId: 'cancel-button', label: 'Cancel' },
      'interactive-list-reply': { kind: 'choice', choiceId: 'priority_express', label: 'Priority Mail Express' },
      button: { kind: 'choice', choiceId: 'Unsubscribe', label: 'Unsubscribe' },
      'audio-voice': { kind: 'media', mediaKind: 'voice', mediaRef: '<MEDIA_ID>', mimeType: 'audio/ogg; codecs=opus' },
      image: { kind: 'media', mediaKind: 'image', mediaRef: '<MEDIA_ID>', mimeType: 'image/jpeg', caption: 'This is a caption' },
      document: { kind: 'media', mediaKind: 'document', mediaRef: '<MEDIA_ID>', mimeType: 'application/pdf', caption: 'cv' },
      sticker: { kind: 'media', mediaKind: 'sticker', mediaRef: '<MEDIA_ID>', mimeType: 'image/webp' },
      reaction: { kind: 'media', mediaKind: 'reaction', mediaRef: 'wamid.SENT1' },
      unsupported: { kind: 'media', mediaKind: 'other' },
      location: { kind: 'location', latitude: 38.7223, longitude: -9.1393 },
    };
    for (const [name, content] of Object.entries(expected)) {
      const events = toInboundEvents(WhatsAppWebhook.parse(fixture(name)), 42);
      expect(events, name).toEqual([{ channel: 'whatsapp', externalId: expect.stringMatching(/^wamid\.ID\d+$/), address: US, receivedAt: 42, content }]);
    }
    // A plain (non-voice) audio file, contacts, and the language guessed from the number.
    const audio = messageFrom('audio-voice', PT);
    delete (firstOf(audio, 'messages').audio as Record<string, unknown>).voice;
    const [event] = toInboundEvents(WhatsAppWebhook.parse(audio));
    expect(event).toMatchObject({ localeHint: 'pt', content: { kind: 'media', mediaKind: 'audio' } });
    const contacts = messageFrom('text', AR);
    Object.assign(firstOf(contacts, 'messages'), { type: 'contacts', contacts: [{ name: { formatted_name: 'A' } }] });
    expect(toInboundEvents(WhatsAppWebhook.parse(contacts))[0]).toMatchObject({ localeHint: 'ar', content: { kind: 'media', mediaKind: 'contact' } });
    // Status bodies carry no messages.
    expect(toInboundEvents(WhatsAppWebhook.parse(fixture('status-read')))).toEqual([]);
  });

  it('stores every inbound type through the webhook and answers each', async () => {
    const names = ['text', 'interactive-button-reply', 'interactive-list-reply', 'button', 'audio-voice', 'image', 'document', 'sticker', 'reaction', 'unsupported', 'location'];
    // One person each: a person's replies are paced at one a second, people in parallel.
    for (const [i, name] of names.entries()) {
      const res = await wa.post(messageFrom(name, `1650555${2000 + i}`));
      expect(res.statusCode, name).toBe(200);
    }
    await wa.settle();
    expect(await wa.storedEvents()).toBe(names.length);
    const handled = await wa.ponte.db.prisma.inboundEvent.count({ where: { status: 'done' } });
    expect(handled).toBe(names.length);
    for (const i of names.keys()) expect(wa.double.acceptedFor(`1650555${2000 + i}`)).toHaveLength(1);
  });

  it.each([
    ['pt', PT],
    ['ar', AR],
  ])('tells a %s speaker who sends a voice note that it cannot be read, in their language', async (locale, from) => {
    const welcome = await wa.exchange(from, textFrom(from, locale === 'pt' ? 'Olá' : 'مرحبا'));
    expect(wordsOf(welcome[0]!)).toContain(wa.ponte.translator.t(locale, 'onboarding:welcome', { languageName: wa.ponte.translator.t(locale, 'common:language.name') }).slice(0, 20));
    const replies = await wa.exchange(from, messageFrom('audio-voice', from));
    // One message: what it can read, then the question again with its buttons.
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'interactive' });
    expect(wordsOf(replies[0]!).split('\n\n')[0]).toBe(wa.ponte.translator.t(locale, 'common:cannot_read'));
  });

  it('marks a stored message as read', async () => {
    const id = wamid();
    await wa.exchange(US, textFrom(US, 'hello', id));
    await waitFor('the read receipt', () => wa.double.reads.includes(id));
  });

  it('records status callbacks out of order: read before delivered stays read', async () => {
    const [reply] = await wa.exchange(US, textFrom(US, 'hello'));
    const state = async () => (await wa.ponte.db.prisma.outboxMessage.findFirstOrThrow({ where: { platformMessageId: reply!.id } })).deliveryState;
    expect((await wa.post(statusFor(reply!.id, 'read', US))).statusCode).toBe(200);
    expect(await state()).toBe('read');
    await wa.post(statusFor(reply!.id, 'delivered', US));
    await wa.post(statusFor(reply!.id, 'sent', US));
    expect(await state()).toBe('read');
    // A status for a message that is not ours is answered 200 and changes nothing.
    expect((await wa.post(statusFor('wamid.NOT-OURS', 'delivered', US))).statusCode).toBe(200);
  });

  it('marks a person unreachable, with an inbox item, when a status says 131026', async () => {
    const [reply] = await wa.exchange(PT, textFrom(PT, 'Olá'));
    await wa.post(statusFor(reply!.id, 'delivered', PT));
    expect((await wa.post(statusFor(reply!.id, 'failed', PT, 131026))).statusCode).toBe(200);
    const row = await wa.ponte.db.prisma.outboxMessage.findFirstOrThrow({ where: { platformMessageId: reply!.id } });
    expect(row).toMatchObject({ deliveryState: 'failed', status: 'failed' });
    expect(row.lastError).toContain('131026');
    const person = await wa.ponte.db.prisma.person.findFirstOrThrow({ where: { address: PT } });
    expect(person.unreachableAt).not.toBeNull();
    expect(await wa.ponte.db.prisma.inboxItem.findMany({ where: { personId: person.id } })).toMatchObject([{ kind: 'unreachable' }]);
  });
});
