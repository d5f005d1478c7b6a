import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelSender } from '../../src/channels/types.js';
import { PlatformError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestPonte, type TestPonte } from '../helpers/ponte.js';
import { toInboundEvent } from '../../src/channels/local/inbound.js';
import { waitFor } from '../helpers/wait.js';

describe('the logs', () => {
  let database: TestDatabase;
  let app: TestPonte;
  const lines: string[] = [];
  beforeEach(() => {
    database = sqliteDatabase();
    lines.length = 0;
  });
  afterEach(async () => {
    await app.stop();
    await database.drop();
  });

  it('hold no message text, phone number or platform id, even at trace level and on errors', async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    let attempts = 0;
    const failing: ChannelSender = {
      channel: 'phone',
      ratePerSecond: 0,
      ratePerAddress: 0,
      async send() {
        attempts += 1;
        throw new PlatformError('Bad Request: chat not found', { status: 400, platformCode: 400, permanent: true });
      },
    };
    app = await startTestPonte(database.url, [failing], createLogger('trace', sink));
    const phone = '351912345678';
    const secret = 'my address is Rua das Flores 12';
    await app.say('351912345679', '/start');
    await app.say('351912345679', secret);
    await app.ponte.ingest([{ ...toInboundEvent(phone, secret), channel: 'phone' }]);
    await waitFor('the failed send', () => attempts === 1);
    const broken = app.ponte.engine.handle;
    app.ponte.engine.handle = () => {
      throw new Error('engine failure');
    };
    await app.say('351912345679', secret);
    app.ponte.engine.handle = broken;
    await app.settle();
    const log = lines.join('');
    expect(log).toContain('send failed');
    expect(log).toContain('inbound event failed');
    expect(log).not.toContain('Rua das Flores');
    expect(log).not.toContain(phone);
    expect(log).not.toContain('351912345679');
  });
});
