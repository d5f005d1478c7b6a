import { afterEach, describe, expect, it } from 'vitest';
import { createPonte, type Ponte } from '../../src/app.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startTelegramDouble } from '../doubles/telegram-api.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestPonte } from '../helpers/ponte.js';
import { waitFor } from '../helpers/wait.js';
import { startWhatsAppPonte, textFrom } from '../channels/whatsapp/harness.js';

/** A mentee named Amira signs up; `#id` taps the option with that id in the last question. */
const signUp = ['#yes', '#agree', '#mentee', '#now', '#26_35', 'Amira', '#pt', '#done', 'Arroios', '#woman', '#evenings', '#done', '#yes', '#any', '#yes', '#friend', '#work', '#done', '#no_rush', 'Find work', '#no', '#1', '#2', '#3', '#4', '#privacy', '#export'];

describe('exporting my data', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const db = () => {
    const d: TestDatabase = sqliteDatabase();
    cleanups.push(() => d.drop());
    return d;
  };

  it('sends a file of everything stored, in the terminal chat', async () => {
    const app = await startTestPonte(db().url);
    cleanups.push(() => app.stop());
    let out = await app.say('ana', '/start');
    for (const line of signUp) {
      const question = [...out].reverse().find((d) => d.message.kind === 'choices')?.message;
      const index = question?.kind === 'choices' ? question.choices.findIndex((c) => c.id.endsWith(`.${line.slice(1)}`)) : -1;
      if (line.startsWith('#')) expect(index, `${line} in ${JSON.stringify(question)}`).toBeGreaterThanOrEqual(0);
      out = await app.say('ana', line.startsWith('#') ? String(index + 1) : line);
    }
    const file = out.find((d) => d.message.kind === 'file')!.message;
    expect(file.kind === 'file' && file.filename).toBe('ponte-my-data.json');
    const data = JSON.parse(Buffer.from(file.kind === 'file' ? file.data : '', 'base64').toString('utf8')) as { profile: { registration: { name: string } }; assessments: unknown[] };
    expect(data.profile.registration.name).toBe('Amira');
    expect(data.assessments).toHaveLength(1);
    // The file comes right after "here is a copy", before the menu.
    expect(out.map((d) => d.message.kind)).toEqual(['text', 'file', 'choices']);
  });

  it('uploads it as a document on Telegram, and through the media store on WhatsApp', async () => {
    const double = await startTelegramDouble({ perChatPerSecond: 1000 });
    cleanups.push(() => double.close());
    const database = db();
    const ponte: Ponte = await createPonte({
      config: loadConfig({ DATABASE_URL: database.url, TELEGRAM_BOT_TOKEN: double.token, TELEGRAM_API_ROOT: double.url, TELEGRAM_CHAT_RATE_LIMIT: '0', PUBLIC_URL: 'https://x.example', TELEGRAM_WEBHOOK_SECRET: 's' }),
      log: createLogger('silent'),
      channels: [createTelegramChannel],
      pollMs: 50,
    });
    cleanups.push(() => ponte.stop());
    await ponte.start();
    let n = 1;
    const post = (text: string) =>
      ponte.http.inject({
        method: 'POST',
        url: '/webhooks/telegram',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 's' },
        payload: { update_id: n++, message: { message_id: n, date: 1, chat: { id: 5, type: 'private' }, from: { id: 5, language_code: 'en' }, text } },
      });
    // Onboard as a visitor, then My data → Get a copy (second option once consent is given).
    for (const text of ['hello', '1', '1', '3', '7', '1']) {
      await post(text);
      await ponte.processor.idle();
    }
    await waitFor('the document', () => double.sent.some((s) => s.method === 'sendDocument'), 5000);
    expect(double.sent.find((s) => s.method === 'sendDocument')!.filename).toBe('ponte-my-data.json');

    const wa = await startWhatsAppPonte(db().url);
    cleanups.push(() => wa.stop());
    for (const text of ['Olá', '1', '1', '3', '7', '1']) await wa.exchange('351910000001', textFrom('351910000001', text));
    expect(wa.double.uploads).toHaveLength(1);
    const document = wa.double.acceptedFor('351910000001').find((m) => m.type === 'document')!;
    expect(document.body.document).toMatchObject({ id: wa.double.uploads[0], filename: 'ponte-my-data.json' });
  });
});
