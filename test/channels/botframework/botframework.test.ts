import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPonte, type Ponte } from '../../../src/app.js';
import { createBotFrameworkChannel } from '../../../src/channels/botframework/index.js';
import { referenceKey } from '../../../src/channels/botframework/references.js';
import { loadConfig } from '../../../src/config.js';
import { enqueueMessages } from '../../../src/db/outbox.js';
import { createLogger } from '../../../src/log.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { root } from '../../helpers/spawn.js';
import { waitFor } from '../../helpers/wait.js';
import { startBotConnectorDouble, type BotConnectorDouble, type ReceivedActivity } from '../../doubles/bot-connector.js';

type Activity = Record<string, unknown>;

describe('the Bot Framework channel (unauthenticated, local)', () => {
  let database: TestDatabase;
  let double: BotConnectorDouble;
  let ponte: Ponte | undefined;
  let nextId = 1;

  /** A fixture from test/fixtures/botframework, its serviceUrl pointed at the double (path kept). */
  function fixture(name: string, fields: Activity = {}): Activity {
    const activity = JSON.parse(readFileSync(join(root, 'test/fixtures/botframework', `${name}.json`), 'utf8')) as Activity;
    activity.serviceUrl = String(activity.serviceUrl).replace(/^https:\/\/[^/]+/, double.url);
    return { ...activity, ...fields };
  }

  /** A Web Chat message in conversation `conversationId`, with a new activity id. */
  const webchat = (conversationId: string, fields: Activity = {}) =>
    fixture('webchat-message', { id: `wc-${nextId++}`, conversation: { id: conversationId }, ...fields });

  async function start(log = createLogger('silent')) {
    const config = loadConfig({ DATABASE_URL: database.url });
    ponte = await createPonte({ config, log, channels: [createBotFrameworkChannel], pollMs: 50 });
    await ponte.start();
    return ponte;
  }

  const post = (activity: unknown) =>
    ponte!.http.inject({
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/json' },
      payload: typeof activity === 'string' ? activity : JSON.stringify(activity),
    });

  async function settle() {
    await ponte!.processor.idle();
    await ponte!.outbox.drained();
  }

  /** Posts an activity (expecting 200), waits for the replies, and returns the new ones in that conversation. */
  async function say(activity: Activity): Promise<ReceivedActivity[]> {
    const conversationId = (activity.conversation as { id: string }).id;
    const before = double.to(conversationId).length;
    const res = await post(activity);
    expect(res.statusCode).toBe(200);
    await settle();
    return double.to(conversationId).slice(before);
  }

  const t = (lng: string, key: string, values?: Record<string, string>) => ponte!.translator.t(lng, key, values);
  const welcome = (lng: string) => t(lng, 'onboarding:welcome', { languageName: t(lng, 'common:language.name') });
  /** The messageBack value of the button labelled `label` in a reply (suggested action or card). */
  function press(reply: ReceivedActivity, label: string): { value: unknown; text: string } {
    const actions = reply.activity.suggestedActions?.actions ?? reply.activity.attachments?.[0]?.content?.buttons ?? [];
    const action = actions.find((a) => a.title === label);
    if (!action) throw new Error(`no button "${label}" in [${actions.map((a) => a.title).join(', ')}]`);
    return { value: action.value, text: action.text ?? label };
  }
  const storedEvents = () => ponte!.db.prisma.inboundEvent.count();
  const storedReferences = () => ponte!.db.prisma.setting.count({ where: { key: { startsWith: 'botframework:' } } });

  beforeEach(async () => {
    database = sqliteDatabase();
    double = await startBotConnectorDouble();
  });
  afterEach(async () => {
    await ponte?.stop().catch(() => undefined);
    ponte = undefined;
    await double.close();
    await database.drop();
  });

  it('walks a Web Chat user from the welcome to the menu, with button clicks and typed numbers', async () => {
    await start();
    const conv = 'wc-first';
    const joined = await say(webchat(conv, { type: 'conversationUpdate', text: undefined, membersAdded: [{ id: '12345678' }, { id: '1234abcd' }] }));
    expect(joined).toHaveLength(1);
    expect(joined[0]!.activity.text).toBe(welcome('en'));
    expect(joined[0]!.activity.suggestedActions!.actions.map((a) => a.title)).toEqual([t('en', 'onboarding:welcome_choices.yes'), t('en', 'onboarding:welcome_choices.other')]);

    // "Other language", pressed: a messageBack with the value we rendered.
    const other = press(joined[0]!, t('en', 'onboarding:welcome_choices.other'));
    const pick = await say(webchat(conv, other));
    expect(pick.at(-1)!.activity.text).toBe(t('en', 'common:language.pick'));

    // Português, typed as its number.
    const labels = pick.at(-1)!.activity.suggestedActions!.actions.map((a) => a.title);
    const pt = labels.indexOf(t('pt', 'common:language.name')) + 1;
    expect(pt).toBeGreaterThan(0);
    const privacy = await say(webchat(conv, { text: String(pt) }));
    expect(privacy.at(-1)!.activity.text).toBe(t('pt', 'onboarding:privacy'));
    expect(privacy.at(-1)!.activity.locale).toBe('pt');

    const consent = await say(webchat(conv, press(privacy.at(-1)!, t('pt', 'onboarding:privacy_choices.agree'))));
    expect(consent.map((r) => r.activity.text)).toEqual([t('pt', 'onboarding:consent_given'), t('pt', 'onboarding:ask_role')]);

    // "Tenho uma pergunta", typed as its number: straight to the menu.
    const roles = consent.at(-1)!.activity.suggestedActions!.actions.map((a) => a.title);
    const visitor = roles.indexOf(t('pt', 'onboarding:role_choices.visitor')) + 1;
    expect(visitor).toBeGreaterThan(0);
    const menu = await say(webchat(conv, { text: String(visitor) }));
    expect(menu.at(-1)!.activity.text).toBe(t('pt', 'menu:main'));
    expect(menu.at(-1)!.activity.suggestedActions!.actions.length).toBeGreaterThan(1);

    const person = await ponte!.db.prisma.person.findFirstOrThrow({ include: { conversation: true } });
    expect(person).toMatchObject({ channel: 'botframework', address: `webchat:${conv}`, locale: 'pt', consent: 'granted', role: 'visitor' });
    expect(person.conversation).toMatchObject({ flowId: 'menu', stepId: 'main' });
    // Every reply went to the conversation, from the bot, to the person.
    for (const r of double.to(conv)) expect(r.activity).toMatchObject({ type: 'message', from: { id: '12345678' }, recipient: { id: '1234abcd' }, conversation: { id: conv } });
  });

  it('asks the same choice question with a hero card in Teams and suggested actions in Web Chat', async () => {
    await start();
    const [teams] = await say(fixture('teams-message'));
    const [web] = await say(fixture('webchat-message'));
    const buttons = teams!.activity.attachments?.[0]?.content?.buttons;
    expect(teams!.activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(teams!.activity.suggestedActions).toBeUndefined();
    expect(web!.activity.attachments).toBeUndefined();
    const actions = web!.activity.suggestedActions?.actions;
    expect(teams!.activity.text).toBe(web!.activity.text);
    expect(buttons).toEqual(actions);
    expect(actions).toEqual([
      { type: 'messageBack', title: 'Yes, continue', value: { choiceId: '1.yes' }, text: 'Yes, continue', displayText: 'Yes, continue' },
      { type: 'messageBack', title: 'Other language', value: { choiceId: '1.other' }, text: 'Other language', displayText: 'Other language' },
    ]);
    // The Teams reply went into the Teams conversation, under the serviceUrl's path.
    expect(teams!.conversationId).toBe('a:17I0kl9…');
    expect(teams!.activity.textFormat).toBe('plain');
  });

  it('follows a Teams person from the bot being added, through a card button and an @mention', async () => {
    await start();
    const conv = '<CONV_ID>';
    const [hello] = await say(fixture('teams-conversation-update'));
    expect(hello!.activity.text).toBe(welcome('en'));
    const yes = press(hello!, 'Yes, continue');
    const privacy = await say(fixture('teams-message-back', { id: 'f:1', conversation: { id: conv }, ...yes }));
    expect(privacy.at(-1)!.activity.text).toBe(t('en', 'onboarding:privacy'));
    // "<at>Bot</at> 1" in Teams is the number 1: the leading mention of the bot is dropped.
    const mention = { type: 'mention', text: '<at>Ponte</at>', mentioned: { id: '28:<BOT_ID>', name: 'Ponte' } };
    const agreed = await say(
      fixture('teams-message', { id: 'm:2', conversation: { id: conv }, from: { id: '29:<USER_ID>' }, recipient: { id: '28:<BOT_ID>', name: 'Ponte' }, text: '<at>Ponte</at> 1', entities: [mention], locale: undefined }),
    );
    expect(agreed.map((r) => r.activity.text)).toEqual([t('en', 'onboarding:consent_given'), t('en', 'onboarding:ask_role')]);
    expect(await ponte!.db.prisma.person.findFirstOrThrow()).toMatchObject({ address: `msteams:${conv}`, consent: 'granted' });
  });

  it('speaks Portuguese to an activity with locale pt-PT', async () => {
    await start();
    const [reply] = await say(webchat('wc-pt', { locale: 'pt-PT', text: 'Olá' }));
    expect(reply!.activity.text).toBe(welcome('pt'));
    expect(reply!.activity.suggestedActions!.actions.map((a) => a.title)).toEqual([t('pt', 'onboarding:welcome_choices.yes'), t('pt', 'onboarding:welcome_choices.other')]);
    expect(reply!.activity.locale).toBe('pt');
  });

  it('replies once to a redelivered activity', async () => {
    await start();
    const activity = webchat('wc-again', { text: 'hello' });
    expect((await post(activity)).statusCode).toBe(200);
    expect((await post(activity)).statusCode).toBe(200);
    await settle();
    expect(double.to('wc-again')).toHaveLength(1);
    expect(await storedEvents()).toBe(1);
  });

  it('answers malformed JSON and bodies that are not activities with 400, storing nothing', async () => {
    await start();
    const base = webchat('wc-bad', { text: 'hello' });
    const bad: unknown[] = [
      '{"type":"message",',
      '[1,2]',
      { type: 'message', text: 'hi' },
      { ...base, id: undefined }, // a message without an id cannot be deduplicated
      { ...base, serviceUrl: 'ftp://127.0.0.1/' },
      { ...base, conversation: {} },
      { ...base, from: { id: 42 } },
    ];
    for (const body of bad) expect((await post(body)).statusCode, JSON.stringify(body)).toBe(400);
    await settle();
    expect(await storedEvents()).toBe(0);
    expect(await storedReferences()).toBe(0);
    expect(double.calls).toHaveLength(0);
    // The service keeps working.
    expect((await post(base)).statusCode).toBe(200);
  });

  it('refuses (403) an unauthenticated activity whose serviceUrl is not on this machine, storing nothing', async () => {
    await start();
    for (const serviceUrl of ['https://smba.trafficmanager.net/amer/', 'http://169.254.169.254/latest/', 'http://10.0.0.5:8080', 'http://127.0.0.1.nip.io/', 'http://[::ffff:a00:5]/']) {
      const res = await post(webchat('wc-far', { text: 'hello', serviceUrl }));
      expect(res.statusCode, serviceUrl).toBe(403);
    }
    await settle();
    expect(await storedEvents()).toBe(0);
    expect(await storedReferences()).toBe(0);
    expect(double.calls).toHaveLength(0);
    // Loopback in its other spellings is this machine.
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      expect((await post(webchat(`wc-${host}`, { text: 'hi', serviceUrl: `http://${host}:1/` }))).statusCode, host).toBe(200);
    }
  });

  it('retries a throttled send (429 with Retry-After) later, through the outbox, and delivers it once', async () => {
    await start();
    double.throttleNext(1, 1);
    const started = Date.now();
    expect((await post(webchat('wc-429', { text: 'hello' }))).statusCode).toBe(200);
    await waitFor('the retried welcome', () => double.to('wc-429').length === 1, 8000);
    // Retry-After was honoured by the outbox, not slept through inside botbuilder's client.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(double.calls.filter((c) => c.conversationId === 'wc-429').map((c) => c.status)).toEqual([429, 200]);
    // The connector accepted it; its outcome is recorded a moment later.
    const row = () => ponte!.db.prisma.outboxMessage.findFirstOrThrow({ where: { address: 'webchat:wc-429' } });
    await waitFor('the send recorded', async () => (await row()).status !== 'sending', 5000);
    expect(await row()).toMatchObject({ status: 'sent', attempts: 2, platformMessageId: double.to('wc-429')[0]!.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(double.to('wc-429')).toHaveLength(1);
  });

  it('backs off after a 429 without Retry-After, and after a 502; gives up at once on a 403', async () => {
    await start();
    double.throttleNext(1);
    await post(webchat('wc-backoff', { text: 'hello' }));
    await waitFor('the welcome after a bare 429', () => double.to('wc-backoff').length === 1, 8000);

    double.failNext(1, 502);
    await post(webchat('wc-502', { text: 'hello' }));
    await waitFor('the welcome after a 502', () => double.to('wc-502').length === 1, 8000);
    await waitFor('the 502 retry recorded', async () => (await ponte!.db.prisma.outboxMessage.count({ where: { address: 'webchat:wc-502', status: 'sent' } })) === 1, 5000);
    expect(await ponte!.db.prisma.outboxMessage.findFirstOrThrow({ where: { address: 'webchat:wc-502' } })).toMatchObject({ status: 'sent', attempts: 2 });

    double.failNext(1, 403, 'BotDisabledByAdmin');
    await post(webchat('wc-403', { text: 'hello' }));
    await waitFor('the refused welcome to be recorded', async () => (await ponte!.db.prisma.outboxMessage.count({ where: { address: 'webchat:wc-403', status: 'failed' } })) === 1, 5000);
    const failed = await ponte!.db.prisma.outboxMessage.findFirstOrThrow({ where: { address: 'webchat:wc-403' } });
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toContain('BotDisabledByAdmin');
    await new Promise((r) => setTimeout(r, 1200));
    expect(double.calls.filter((c) => c.conversationId === 'wc-403')).toHaveLength(1);
  });

  it('marks a person who blocked the bot as unreachable, and tells the coordinators', async () => {
    await start();
    await say(webchat('wc-blocked', { text: 'hello' }));
    double.failNext(1, 403, 'ConversationBlockedByUser');
    await say(webchat('wc-blocked', { text: 'help' }));
    await waitFor('the person to be marked', async () => (await ponte!.db.prisma.person.count({ where: { unreachableAt: { not: null } } })) === 1, 5000);
    const person = await ponte!.db.prisma.person.findFirstOrThrow({ where: { address: 'webchat:wc-blocked' } });
    expect(await ponte!.db.prisma.inboxItem.count({ where: { personId: person.id, kind: 'unreachable' } })).toBe(1);
  });

  it('records a connector that does not answer as a network error, without waiting inside the send', async () => {
    await start();
    await say(webchat('wc-gone', { text: 'hello' }));
    await double.close();
    const started = Date.now();
    await ponte!.db.prisma.$transaction((tx) =>
      enqueueMessages(tx, { channel: 'botframework', address: 'webchat:wc-gone', personId: null }, [{ kind: 'text', locale: 'en', text: 'still there?' }], Date.now()),
    );
    ponte!.outbox.wake();
    await waitFor('the failed attempt to be recorded', async () => {
      const row = await ponte!.db.prisma.outboxMessage.findFirst({ where: { address: 'webchat:wc-gone', lastError: { not: null } } });
      return row !== null;
    }, 5000);
    // botbuilder's client would have retried three times with backoff (over 5 s) before failing.
    expect(Date.now() - started).toBeLessThan(2500);
    const row = await ponte!.db.prisma.outboxMessage.findFirstOrThrow({ where: { address: 'webchat:wc-gone', lastError: { not: null } } });
    expect(row.status).toBe('pending');
    expect(row.lastError).toMatch(/^NetworkError/);
    double = await startBotConnectorDouble(); // for afterEach
  });

  it('stores the conversation reference (ids, no names) and uses it for a proactive send after a restart', async () => {
    await start();
    const conv = 'a:17I0kl9…';
    await say(fixture('teams-message'));
    await ponte!.stop();
    ponte = undefined;

    const app = await start();
    const stored = await app.db.prisma.setting.findUniqueOrThrow({ where: { key: referenceKey(`msteams:${conv}`) } });
    const reference = JSON.parse(stored.value) as Record<string, unknown>;
    expect(reference).toEqual({
      channelId: 'msteams',
      serviceUrl: `${double.url}/amer/`,
      locale: 'en-US',
      conversation: { id: conv, conversationType: 'personal', tenantId: '72f988bf-…' },
      bot: { id: '28:c9e8c047-…', name: 'Teams TestBot' },
      user: { id: '29:1XJK…', aadObjectId: '7faf8ab2-…' },
    });
    expect(stored.value).not.toContain('Megan Bowen');

    const before = double.to(conv).length;
    await app.db.prisma.$transaction((tx) =>
      enqueueMessages(tx, { channel: 'botframework', address: `msteams:${conv}`, personId: null }, [{ kind: 'text', locale: 'en', text: 'Your mentor wrote to you.' }], Date.now()),
    );
    app.outbox.wake();
    await settle();
    const sent = double.to(conv).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.activity).toMatchObject({
      type: 'message',
      text: 'Your mentor wrote to you.',
      channelId: 'msteams',
      from: { id: '28:c9e8c047-…' },
      recipient: { id: '29:1XJK…' },
      conversation: { id: conv, tenantId: '72f988bf-…' },
    });
    expect(sent[0]!.replyToId).toBeUndefined();
  });

  it('fails a send to an address with no stored reference for good, without calling the connector', async () => {
    await start();
    await ponte!.db.prisma.$transaction((tx) =>
      enqueueMessages(tx, { channel: 'botframework', address: 'webchat:nobody', personId: null }, [{ kind: 'text', locale: 'en', text: 'hello?' }], Date.now()),
    );
    ponte!.outbox.wake();
    await settle();
    expect(await ponte!.db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ status: 'failed', attempts: 1 });
    expect(double.calls).toHaveLength(0);
  });

  it('logs no text, name, user or conversation id, even at trace level, on refusals and on failed sends', async () => {
    const lines: string[] = [];
    await start(createLogger('trace', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })));
    const secret = 'my address is Rua das Flores 12';
    double.throttleNext(1);
    await post(fixture('teams-message', { text: secret }));
    await waitFor('the welcome after a 429', () => double.to('a:17I0kl9…').length === 1, 8000);
    double.failNext(1, 502);
    await say(fixture('teams-message', { id: 'm:2', text: 'hello again' }));
    await post(fixture('teams-message', { id: 'm:3', text: secret, serviceUrl: 'http://10.0.0.5/' }));
    await post('{"type":"message", "text": "Rua das Flores"');
    await waitFor('every reply', async () => (await ponte!.db.prisma.outboxMessage.count({ where: { status: 'pending' } })) === 0, 8000);
    const log = lines.join('');
    expect(log).toContain('send failed');
    expect(log).toContain('refused an unauthenticated activity');
    for (const privateWord of ['Rua das Flores', 'hello again', 'Megan Bowen', '29:1XJK', '7faf8ab2', 'a:17I0kl9', '72f988bf']) expect(log, privateWord).not.toContain(privateWord);
  });

  it('with MicrosoftAppId set, refuses an activity without a Bot Connector token (401, nothing stored)', async () => {
    const config = loadConfig({ DATABASE_URL: database.url, MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' });
    ponte = await createPonte({ config, log: createLogger('silent'), channels: [createBotFrameworkChannel], pollMs: 50 });
    await ponte.start();
    expect((await post(webchat('wc-auth', { text: 'hello' }))).statusCode).toBe(401);
    // A token botbuilder cannot validate (it prints its AuthenticationError on the console).
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const forged = await ponte.http.inject({
      method: 'POST',
      url: '/api/messages',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc.def.ghi' },
      payload: JSON.stringify(webchat('wc-auth', { text: 'hello' })),
    });
    quiet.mockRestore();
    expect(forged.statusCode).toBe(401);
    await settle();
    expect(await storedEvents()).toBe(0);
    expect(await storedReferences()).toBe(0);
    expect(double.calls).toHaveLength(0);
  });
});
