import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toSendError } from '../../../src/channels/botframework/client.js';
import { BotActivity, toInboundEvents } from '../../../src/channels/botframework/inbound.js';
import { createBotFrameworkChannel, isLoopbackUrl } from '../../../src/channels/botframework/index.js';
import type { ChannelDeps } from '../../../src/channels/types.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { HERO_CARD, TEXT_LIMIT, render } from '../../../src/channels/botframework/render.js';
import type { OutboundMessage } from '../../../src/core/events.js';
import { NetworkError, PlatformError } from '../../../src/errors.js';
import { root } from '../../helpers/spawn.js';

const fixture = (name: string, fields: Record<string, unknown> = {}) =>
  BotActivity.parse({ ...(JSON.parse(readFileSync(join(root, 'test/fixtures/botframework', `${name}.json`), 'utf8')) as object), ...fields });

describe('Bot Framework activities → inbound events', () => {
  it('reads a Web Chat message as text, keyed by channel, conversation and activity id', () => {
    expect(toInboundEvents(fixture('webchat-message'), 1)).toEqual([
      { channel: 'botframework', externalId: 'webchat:abcd1234:bf3cc9a2f5de...', address: 'webchat:abcd1234', receivedAt: 1, content: { kind: 'text', text: 'Haircut on Saturday' } },
    ]);
  });

  it('reads a Teams message with its locale as the language hint', () => {
    const [event] = toInboundEvents(fixture('teams-message'));
    expect(event).toMatchObject({ address: 'msteams:a:17I0kl9…', localeHint: 'en-US', content: { kind: 'text', text: 'Hello Teams TestBot' } });
  });

  it('drops a leading @mention of the bot in Teams, and keeps other mentions', () => {
    const bot = { type: 'mention', text: '<at>Teams TestBot</at>', mentioned: { id: '28:c9e8c047-…' } };
    const other = { type: 'mention', text: '<at>Ana</at>', mentioned: { id: '29:ana' } };
    expect(toInboundEvents(fixture('teams-message', { text: '<at>Teams TestBot</at> menu', entities: [bot] }))[0]!.content).toEqual({ kind: 'text', text: 'menu' });
    expect(toInboundEvents(fixture('teams-message', { text: '<at>Ana</at> is my friend', entities: [other] }))[0]!.content).toEqual({ kind: 'text', text: '<at>Ana</at> is my friend' });
    // In Web Chat the same characters are just text.
    expect(toInboundEvents(fixture('webchat-message', { text: '<at>x</at> 1' }))[0]!.content).toEqual({ kind: 'text', text: '<at>x</at> 1' });
  });

  it('reads a pressed messageBack button carrying { choiceId } as a choice, and any other value as its text', () => {
    const pressed = fixture('teams-message-back', { value: { choiceId: '3.agree' }, text: 'I agree' });
    expect(toInboundEvents(pressed)[0]!.content).toEqual({ kind: 'choice', choiceId: '3.agree', label: 'I agree' });
    expect(toInboundEvents(fixture('teams-message-back'))[0]!.content).toEqual({ kind: 'text', text: 'User just clicked the MessageBack button' });
  });

  it('greets a person added to the conversation, but not the bot itself', () => {
    expect(toInboundEvents(fixture('teams-conversation-update'))[0]).toMatchObject({ externalId: 'msteams:<CONV_ID>:f:5f85c2ad', content: { kind: 'command', name: 'start' } });
    expect(toInboundEvents(fixture('teams-conversation-update', { membersAdded: [{ id: '28:<BOT_ID>' }] }))).toEqual([]);
  });

  it('reads a file the person sent as media, and ignores Teams’ HTML copy of a text message', () => {
    const image = { contentType: 'image/png', contentUrl: 'https://example.org/a.png', name: 'a.png' };
    expect(toInboundEvents(fixture('webchat-message', { text: undefined, attachments: [image] }))[0]!.content).toEqual({
      kind: 'media',
      mediaKind: 'image',
      mediaRef: 'https://example.org/a.png',
      mimeType: 'image/png',
    });
    const file = { contentType: 'application/vnd.microsoft.teams.file.download.info', content: { downloadUrl: 'https://x.example/cv.pdf', fileType: 'pdf' }, name: 'cv.pdf' };
    expect(toInboundEvents(fixture('teams-message', { text: undefined, attachments: [file] }))[0]!.content).toMatchObject({ kind: 'media', mediaKind: 'document' });
    const html = { contentType: 'text/html', content: '<p>Hello Teams TestBot</p>' };
    expect(toInboundEvents(fixture('teams-message', { attachments: [html] }))[0]!.content).toEqual({ kind: 'text', text: 'Hello Teams TestBot' });
  });

  it('gives no events for typing, invokes and empty messages', () => {
    expect(toInboundEvents(fixture('webchat-message', { type: 'typing', id: undefined, text: undefined }))).toEqual([]);
    expect(toInboundEvents(fixture('teams-message-back', { type: 'invoke', value: { option: 'opt1' } }))).toEqual([]);
    expect(toInboundEvents(fixture('webchat-message', { text: '   ' }))).toEqual([]);
  });

  it('keeps keys within the inbox’s 256 characters, stably', () => {
    const long = fixture('webchat-message', { conversation: { id: 'c'.repeat(400) } });
    const [a] = toInboundEvents(long);
    const [b] = toInboundEvents(long);
    expect(a!.address.length).toBeLessThanOrEqual(256);
    expect(a!.externalId.length).toBeLessThanOrEqual(256);
    expect(a!.address).toBe(b!.address);
  });
});

describe('outbound messages → Bot Framework activities', () => {
  const choices = (n: number): OutboundMessage => ({
    kind: 'choices',
    locale: 'en',
    text: 'Pick one',
    choices: Array.from({ length: n }, (_, i) => ({ id: `4.o${i}`, label: `Option ${i + 1}` })),
  });

  it('splits a long text into pieces the Teams size limit takes, losing nothing', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const pieces = render({ kind: 'text', locale: 'en', text }, 'msteams');
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect([...p.text!].length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(pieces.map((p) => p.text).join(' ')).toBe(text);
    expect(pieces.every((p) => p.textFormat === 'plain')).toBe(true);
  });

  it('puts up to 6 buttons on a Teams hero card, and numbers more', () => {
    const six = render(choices(6), 'msteams');
    expect(six).toHaveLength(1);
    expect(six[0]!.attachments![0]!.contentType).toBe(HERO_CARD);
    expect(six[0]!.attachments![0]!.content!.buttons).toHaveLength(6);
    const seven = render(choices(7), 'msteams');
    expect(seven[0]!.attachments).toBeUndefined();
    expect(seven[0]!.text).toBe(['Pick one', '', ...Array.from({ length: 7 }, (_, i) => `${i + 1}. Option ${i + 1}`)].join('\n'));
  });

  it('gives Web Chat and the Emulator suggested messageBack actions, with the buttons on the last piece of a long question', () => {
    const long: OutboundMessage = { kind: 'choices', locale: 'en', text: 'x '.repeat(8000).trim(), choices: [{ id: '1.a', label: 'A' }] };
    const pieces = render(long, 'emulator');
    expect(pieces.length).toBe(3);
    expect(pieces.slice(0, -1).every((p) => p.suggestedActions === undefined)).toBe(true);
    expect(pieces.at(-1)!.suggestedActions).toEqual({ actions: [{ type: 'messageBack', title: 'A', value: { choiceId: '1.a' }, text: 'A', displayText: 'A' }] });
  });

  it('sends a template as its text, an image as an attachment, and a file to Teams as a link', () => {
    expect(render({ kind: 'template', locale: 'pt', name: 'session_reminder', params: ['Ana'], text: 'Olá Ana' }, 'webchat')).toEqual([{ type: 'message', text: 'Olá Ana', textFormat: 'plain' }]);
    expect(render({ kind: 'media', locale: 'en', mediaKind: 'image', url: 'https://x.example/map.jpg', caption: 'The office' }, 'msteams')).toEqual([
      { type: 'message', text: 'The office', textFormat: 'plain', attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://x.example/map.jpg' }] },
    ]);
    expect(render({ kind: 'media', locale: 'en', mediaKind: 'document', url: 'https://x.example/guide.pdf', caption: 'The guide' }, 'msteams')).toEqual([
      { type: 'message', text: 'The guide\nhttps://x.example/guide.pdf', textFormat: 'plain' },
    ]);
    expect(render({ kind: 'media', locale: 'en', mediaKind: 'document', url: 'https://x.example/guide.pdf' }, 'webchat')[0]!.attachments).toEqual([
      { contentType: 'application/pdf', contentUrl: 'https://x.example/guide.pdf' },
    ]);
  });
});

describe('Bot Connector errors → Ponte errors', () => {
  const restError = (statusCode: number | undefined, headers: Record<string, string> = {}, code?: string) =>
    Object.assign(new Error('x'), { name: 'RestError', statusCode, code, response: { headers: { get: (n: string) => headers[n] } } });

  it('maps 429 to a retry for this conversation, after Retry-After or the backoff', () => {
    const withHeader = toSendError(restError(429, { 'retry-after': '7' }), () => 99);
    expect(withHeader).toBeInstanceOf(PlatformError);
    expect((withHeader as PlatformError).details).toMatchObject({ retryAfterSec: 7, scope: 'address', status: 429 });
    expect((toSendError(restError(429), () => 3) as PlatformError).details.retryAfterSec).toBe(3);
    const date = new Date(Date.now() + 5000).toUTCString();
    expect((toSendError(restError(429, { 'retry-after': date }), () => 99) as PlatformError).details.retryAfterSec).toBeGreaterThanOrEqual(4);
  });

  it('retries 412, 502, 504 and other 5xx; gives up on 401, 403, 404 and other 4xx; no answer is a network error', () => {
    for (const s of [408, 412, 500, 502, 503, 504]) expect((toSendError(restError(s), () => 1) as PlatformError).details.permanent, String(s)).toBe(false);
    for (const s of [400, 401, 403, 404, 413]) expect((toSendError(restError(s), () => 1) as PlatformError).details.permanent, String(s)).toBe(true);
    expect(toSendError(restError(undefined, {}, 'ECONNREFUSED'), () => 1)).toBeInstanceOf(NetworkError);
  });
});

describe('loopback URLs (unauthenticated mode)', () => {
  it('accepts only this machine', () => {
    for (const url of ['http://localhost:3978', 'http://127.0.0.1:1/', 'http://127.8.9.10/', 'http://127.1/', 'http://[::1]:80/', 'http://[::ffff:127.0.0.1]/']) expect(isLoopbackUrl(url), url).toBe(true);
    for (const url of ['https://smba.trafficmanager.net/amer/', 'http://localhost.evil.example/', 'http://127.0.0.1.nip.io/', 'http://10.0.0.1/', 'http://[::ffff:10.0.0.1]/', 'http://0.0.0.0/', 'not a url']) {
      expect(isLoopbackUrl(url), url).toBe(false);
    }
  });
});

describe('the channel’s configuration', () => {
  it('names the missing variable when botbuilder refuses the app settings', async () => {
    const config = loadConfig({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' });
    const deps = { config, db: { prisma: {} }, log: createLogger('silent') } as unknown as ChannelDeps;
    // Configured, botbuilder is loaded at start, so a wrong setting stops the start.
    await expect(createBotFrameworkChannel(deps)).rejects.toThrow(ConfigError);
    await expect(createBotFrameworkChannel(deps)).rejects.toThrow(/^MicrosoftAppTenantId: /);
  });
});
