import { createHmac } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBotConnectorDouble } from '../doubles/bot-connector.js';
import { startGraphDouble } from '../doubles/graph-api.js';
import { sqliteDatabase } from '../helpers/databases.js';
import { execFileSync } from 'node:child_process';
import { freePort, root, runBuilt } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';
import { textFrom, APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN } from './whatsapp/harness.js';


/** Starts the compiled `src/main.ts` (what `npm start` runs) with these variables and waits for /readyz. */
async function startService(env: Record<string, string>) {
  const port = await freePort();
  const database = sqliteDatabase();
  const service = runBuilt('src/main.ts', [], { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, ...env });
  const base = `http://127.0.0.1:${port}`;
  await waitFor('/readyz', async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200, 30_000);
  return {
    base,
    async stop() {
      service.child.kill('SIGTERM');
      await service.done;
      await database.drop();
    },
  };
}

describe('npm start with a channel’s variables', () => {
  // What `npm start` runs first: the compiled service must find its languages, migrations and
  // inbox assets from dist/ too.
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  }, 120_000);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('answers the first WhatsApp message that reaches the signed webhook', async () => {
    const graph = await startGraphDouble({ token: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    cleanups.push(() => graph.close());
    const service = await startService({
      WHATSAPP_ACCESS_TOKEN: TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_API_URL: graph.url,
    });
    cleanups.push(() => service.stop());
    const challenge = await fetch(`${service.base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
    expect(await challenge.text()).toBe('42');
    const body = JSON.stringify(textFrom('351912000111', 'Olá'));
    const signature = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
    const res = await fetch(`${service.base}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    expect(res.status).toBe(200);
    await waitFor('the welcome', () => graph.acceptedFor('351912000111').length > 0, 10_000);
    // A Portuguese number: the first guess is Portuguese.
    expect(JSON.stringify(graph.acceptedFor('351912000111')[0])).toContain('Português');
  });

  it('answers the first Bot Framework activity from a local Emulator', async () => {
    const connector = await startBotConnectorDouble();
    cleanups.push(() => connector.close());
    const service = await startService({});
    cleanups.push(() => service.stop());
    const activity = {
      type: 'message',
      id: 'emu-1',
      timestamp: new Date().toISOString(),
      serviceUrl: connector.url,
      channelId: 'emulator',
      from: { id: 'user-1' },
      conversation: { id: 'conv-1' },
      recipient: { id: 'bot' },
      text: 'hello',
      locale: 'ar',
    };
    const res = await fetch(`${service.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    expect(res.status).toBe(200);
    await waitFor('the welcome', () => connector.to('conv-1').length > 0, 10_000);
    expect(JSON.stringify(connector.to('conv-1')[0])).toMatch(/[\u0600-\u06FF]/);
  });
});
