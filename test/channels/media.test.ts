import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Api } from 'grammy';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPonte, type Ponte } from '../../src/app.js';
import { MEDIA_LIMIT_BYTES } from '../../src/channels/media-download.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { createTelegramMedia } from '../../src/channels/telegram/media.js';
import type { MediaFetcher } from '../../src/channels/types.js';
import { createWhatsAppMedia } from '../../src/channels/whatsapp/media.js';
import { loadConfig } from '../../src/config.js';
import { createStaff } from '../../src/db/staff.js';
import { NetworkError, PlatformError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { startGraphDouble, type GraphDouble } from '../doubles/graph-api.js';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-api.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { InboxClient, PASSWORD } from '../helpers/inbox.js';

/** A logger at trace level whose lines are kept, to read what an operator would see. */
function capturedLog() {
  const lines: string[] = [];
  const log = createLogger('trace', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  return { log, text: () => lines.join('') };
}

/** A few bytes that start like the file they stand for (JPEG, Ogg, PDF), with a non-text byte in each. */
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('a small photo'), 0x00, 0xff, 0xd9]);
const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.from([0x00, 0x02, 0x80]), Buffer.from('a voice note')]);
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]), Buffer.from('\na residence permit')]);

async function failureOf(fetching: Promise<unknown>): Promise<Error> {
  try {
    await fetching;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the fetch did not fail');
}

describe('Telegram files, through the Bot API double', () => {
  let double: TelegramDouble;
  let media: MediaFetcher;
  let logged: () => string;

  beforeEach(async () => {
    double = await startTelegramDouble();
    const captured = capturedLog();
    logged = captured.text;
    media = createTelegramMedia(new Api(double.token, { apiRoot: double.url }), { token: double.token, apiRoot: double.url }, captured.log);
  });
  afterEach(() => double.close());

  it('downloads a photo, a voice note and a PDF with their bytes and types', async () => {
    const photo = double.addFile(jpeg, 'photos', 'jpg');
    const voice = double.addFile(ogg, 'voice', 'oga');
    const document = double.addFile(pdf, 'documents', 'pdf');
    expect(await media.fetch(photo)).toEqual({ mimeType: 'image/jpeg', data: jpeg });
    expect(await media.fetch(voice)).toEqual({ mimeType: 'audio/ogg', data: ogg });
    expect(await media.fetch(document)).toEqual({ mimeType: 'application/pdf', data: pdf });
    expect(double.calls.filter((c) => c.method === 'getFile').map((c) => c.body.file_id)).toEqual([photo, voice, document]);
    expect(double.downloads).toEqual(['photos/file_0.jpg', 'voice/file_1.oga', 'documents/file_2.pdf']);
  });

  it('serves a file a browser would run (HTML) as bytes to save, not to show', async () => {
    const page = Buffer.from('<html><form action="https://evil.example">');
    expect(await media.fetch(double.addFile(page, 'documents', 'html'))).toEqual({ mimeType: 'application/octet-stream', data: page });
  });

  it('throws PlatformError for an unknown or expired file_id, and downloads nothing', async () => {
    const err = await failureOf(media.fetch('AgACAgQAAxkBAAIBZ2VanishedFileId'));
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).details).toMatchObject({ status: 400, permanent: true });
    expect(err.message).toMatch(/invalid file_id/);
    expect(double.downloads).toEqual([]);
  });

  it('throws PlatformError for a file over the 20 MB bots may download', async () => {
    const big = double.addFile(Buffer.alloc(21 * 1024 * 1024, 1), 'videos', 'mp4');
    const err = await failureOf(media.fetch(big));
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.message).toMatch(/file is too big/);
    expect(double.downloads).toEqual([]);
  });

  it('never puts the bot token in a log line or an error, though the file link holds it', async () => {
    const photo = double.addFile(jpeg, 'photos', 'jpg');
    await media.fetch(photo);
    await failureOf(media.fetch('unknown-file-id'));
    double.dropDownloads(1);
    const dropped = await failureOf(media.fetch(photo));
    expect(dropped).toBeInstanceOf(NetworkError);
    for (const text of [dropped.message, dropped.stack ?? '', String(dropped.cause ?? '')]) expect(text).not.toContain(double.token);
    const log = logged();
    expect(log).toContain('file downloaded');
    expect(log).toContain('getFile refused');
    expect(log).not.toContain(double.token);
    expect(log).not.toContain('TEST-token_abc');
  });
});

describe('WhatsApp media, through the Graph API double', () => {
  const TOKEN = 'EAAG-media-test-token';
  const PHONE_NUMBER_ID = '106540352242922';
  let double: GraphDouble;
  let media: MediaFetcher;
  let logged: () => string;

  function fetcher(token = TOKEN): MediaFetcher {
    const config = loadConfig({
      DATABASE_URL: 'file:/unused.db',
      WHATSAPP_ACCESS_TOKEN: token,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_APP_SECRET: 'app-secret',
      WHATSAPP_API_URL: double.url,
    });
    const captured = capturedLog();
    logged = captured.text;
    return createWhatsAppMedia(config.whatsapp!, captured.log);
  }

  beforeEach(async () => {
    double = await startGraphDouble({ token: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    media = fetcher();
  });
  afterEach(() => double.close());

  it('looks the id up, downloads the URL with the token, and gives the bytes and type', async () => {
    const image = double.addMedia(jpeg, 'image/jpeg');
    const voice = double.addMedia(ogg, 'audio/ogg; codecs=opus');
    expect(await media.fetch(image)).toEqual({ mimeType: 'image/jpeg', data: jpeg });
    expect(await media.fetch(voice)).toEqual({ mimeType: 'audio/ogg', data: ogg });
    expect(double.mediaDownloads).toHaveLength(2);
    expect(double.refused).toEqual([]);
  });

  it('serves what a browser would run (HTML, SVG) as bytes to save, whatever type the sender declared', async () => {
    const page = Buffer.from('<html><form action="https://evil.example">');
    const drawing = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    expect(await media.fetch(double.addMedia(page, 'text/html'))).toEqual({ mimeType: 'application/octet-stream', data: page });
    expect(await media.fetch(double.addMedia(drawing, 'image/svg+xml'))).toEqual({ mimeType: 'application/octet-stream', data: drawing });
    expect(await media.fetch(double.addMedia(pdf, 'application/pdf'))).toEqual({ mimeType: 'application/pdf', data: pdf });
  });

  it('throws PlatformError for an id Meta does not know (or no longer keeps)', async () => {
    const err = await failureOf(media.fetch('1234567890123456'));
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).details).toMatchObject({ status: 400, platformCode: 100, permanent: true });
    expect(double.mediaDownloads).toEqual([]);
  });

  it('throws PlatformError when the media URL has expired before the download', async () => {
    double.mediaUrlTtlMs = -1;
    const err = await failureOf(media.fetch(double.addMedia(jpeg, 'image/jpeg')));
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).details.status).toBe(404);
    expect(double.mediaDownloads).toEqual([]);
  });

  it('refuses bytes that do not match the sha256 Meta gave', async () => {
    const id = double.addMedia(jpeg, 'image/jpeg', { sha256: 'ab'.repeat(32) });
    const err = await failureOf(media.fetch(id));
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.message).toMatch(/sha256/);
    expect(double.mediaDownloads).toHaveLength(1);
  });

  it('refuses a file over the limit, whether Meta declares its size or only the download does', async () => {
    const declared = double.addMedia(pdf, 'application/pdf', { fileSize: MEDIA_LIMIT_BYTES + 1 });
    expect((await failureOf(media.fetch(declared))) as PlatformError).toMatchObject({ details: { status: 413 } });
    expect(double.mediaDownloads).toEqual([]);
    const undeclared = double.addMedia(Buffer.alloc(MEDIA_LIMIT_BYTES + 1, 7), 'video/mp4', { fileSize: 1000 });
    expect((await failureOf(media.fetch(undeclared))) as PlatformError).toMatchObject({ details: { status: 413 } });
  });

  it('says what Meta said about a wrong token, and never writes the token', async () => {
    const id = double.addMedia(jpeg, 'image/jpeg');
    await media.fetch(id);
    const wrong = fetcher('EAAG-revoked-token');
    const err = await failureOf(wrong.fetch(id));
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).details).toMatchObject({ status: 401, platformCode: 190 });
    expect(logged()).toContain('media lookup refused');
    expect(logged()).not.toContain('EAAG-revoked-token');
  });

  it('sends no request for a reference that is not a media id', async () => {
    for (const ref of ['../me', '..', `${PHONE_NUMBER_ID}/messages`, '']) {
      expect(await failureOf(media.fetch(ref))).toBeInstanceOf(PlatformError);
    }
    expect(double.refused).toEqual([]);
    expect(double.mediaDownloads).toEqual([]);
  });
});

describe.each(databases)('a coordinator opens a file a person sent on Telegram ($name)', ({ create, skip }) => {
  let database: TestDatabase;
  let double: TelegramDouble;
  let ponte: Ponte;
  let base: string;
  let logged: () => string;
  let personId: string;
  let coordinator: InboxClient;

  beforeAll(async () => {
    if (skip) return;
    database = await create();
    double = await startTelegramDouble();
    const captured = capturedLog();
    logged = captured.text;
    const config = loadConfig({ DATABASE_URL: database.url, TELEGRAM_BOT_TOKEN: double.token, TELEGRAM_API_ROOT: double.url, TELEGRAM_MODE: 'polling' });
    ponte = await createPonte({ config, log: captured.log, channels: [createTelegramChannel], pollMs: 50 });
    await ponte.start();
    await ponte.http.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(ponte.http.server.address() as { port: number }).port}`;
    const prisma = ponte.db.prisma;
    const organisationId = randomUUID();
    await prisma.organisation.create({ data: { id: organisationId, slug: 'org-media', name: 'Organisation media', timezone: 'Europe/Lisbon' } });
    await createStaff(prisma, { email: 'coord.media@example.org', role: 'coordinator', organisationId, password: PASSWORD, mustChangePassword: false });
    personId = randomUUID();
    await prisma.person.create({ data: { id: personId, channel: 'telegram', address: '111', organisationId, locale: 'en' } });
    coordinator = new InboxClient(base);
    expect((await coordinator.signIn('coord.media@example.org')).status).toBe(303);
  });
  afterAll(async () => {
    if (skip) return;
    await ponte?.stop();
    await double?.close();
    await database?.drop();
  });

  async function sent(mediaRef: string): Promise<number> {
    const row = await ponte.db.prisma.handoverMessage.create({
      data: { personId, direction: 'in', content: { kind: 'media', mediaKind: 'image', mediaRef }, createdAt: BigInt(Date.now()) },
    });
    return row.id;
  }

  it.skipIf(skip)('serves the photo from Telegram, typed and not sniffed, and audits the view', async () => {
    const messageId = await sent(double.addFile(jpeg, 'photos', 'jpg'));
    const res = await coordinator.get(`/inbox/people/${personId}/media/${messageId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Number(res.headers.get('content-length'))).toBe(jpeg.length);
    expect(res.text).toBe(new TextDecoder().decode(jpeg));
    expect(await ponte.db.prisma.auditEntry.count({ where: { action: 'person.view_media', subject: `person:${personId}` } })).toBe(1);
  });

  it.skipIf(skip)('answers 404 when Telegram no longer has the file', async () => {
    const messageId = await sent('AgACAgQAAxkBAAIBZ2VanishedFileId');
    expect((await coordinator.get(`/inbox/people/${personId}/media/${messageId}`)).status).toBe(404);
  });

  it.skipIf(skip)('fails without the token reaching the log when the download breaks off', async () => {
    const messageId = await sent(double.addFile(jpeg, 'photos', 'jpg'));
    double.dropDownloads(1);
    expect((await coordinator.get(`/inbox/people/${personId}/media/${messageId}`)).status).toBe(502);
    const log = logged();
    expect(log).not.toContain(double.token);
    expect(log).not.toContain(double.token);
    expect(log).not.toContain('TEST-token_abc');
  });
});
