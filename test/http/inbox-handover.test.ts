import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { chat, handoverFrom, signedIn, startInboxWorld, type InboxWorld } from '../helpers/inbox.js';
import { waitFor } from '../helpers/wait.js';

describe.each(databases)('a handover in the inbox on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let world: InboxWorld;
  beforeEach(async () => {
    if (skip) return;
    database = await create();
    world = await startInboxWorld(database.url);
  });
  afterEach(async () => {
    if (skip) return;
    await world.stop();
    await database.drop();
  });

  it.skipIf(skip)('shows the request in the queue, the person’s words on their page, sends the reply to their chat and hands back to the bot', async () => {
    const { app } = world;
    const t = (key: string) => app.ponte.translator.t('pt', key);
    const person = await handoverFrom(world, 'ana', 'a', 'pt');
    await chat(app, 'ana', ['O senhorio quer que eu saia de casa'], 'pt');
    const coordinator = await signedIn(world, world.staff.coordA);

    const queue = await coordinator.get('/inbox');
    expect(queue.text).toContain('Wants to talk to a person');
    expect(queue.text).toContain(`/inbox/people/${person}`);

    const page = await coordinator.get(`/inbox/people/${person}`);
    expect(page.text).toContain('O senhorio quer que eu saia de casa');
    expect(page.text).toContain('with a coordinator');
    expect(page.text).toMatch(/the person reads portugu/i);

    const before = app.delivered.length;
    const sent = await coordinator.post(`/inbox/people/${person}/reply`, { text: 'Olá Ana, sou a Marta. Posso ligar-lhe amanhã?' });
    expect([sent.status, sent.location]).toEqual([303, `/inbox/people/${person}?done=replied#conv`]);
    await app.settle();
    expect(app.delivered.slice(before).map((d) => [d.address, d.text])).toEqual([['ana', 'Olá Ana, sou a Marta. Posso ligar-lhe amanhã?']]);
    expect((await coordinator.get(`/inbox/people/${person}`)).text).toContain('Posso ligar-lhe amanhã?');

    // The bot stays quiet while the coordinator has the conversation.
    expect(await chat(app, 'ana', ['Sim, obrigada'], 'pt')).toEqual([]);

    const back = await coordinator.post(`/inbox/people/${person}/handback`);
    expect(back.status).toBe(303);
    await waitFor('the hand-back', async () => (await app.ponte.db.prisma.conversation.findUniqueOrThrow({ where: { personId: person } })).mode === 'bot');
    await app.settle();
    const told = app.delivered.filter((d) => d.address === 'ana').map((d) => d.text);
    expect(told).toContain(t('common:handover_closed'));
    expect(await app.ponte.db.prisma.inboxItem.count({ where: { personId: person, status: 'open' } })).toBe(0);
    expect((await coordinator.get('/inbox')).text).not.toContain(`/inbox/people/${person}`);
  });

  it.skipIf(skip)('refuses an empty reply with a reason and sends nothing', async () => {
    const person = await handoverFrom(world, 'ben');
    const coordinator = await signedIn(world, world.staff.coordA);
    const outbox = () => world.app.ponte.db.prisma.outboxMessage.count({ where: { address: 'ben' } });
    const before = await outbox();
    const res = await coordinator.post(`/inbox/people/${person}/reply`, { text: '   ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('the reply is empty');
    expect(await outbox()).toBe(before);
    expect(await world.app.ponte.db.prisma.handoverMessage.count({ where: { direction: 'out' } })).toBe(0);
  });

  it.skipIf(skip)('tells an open queue page about a new request without a reload', async () => {
    const coordinator = await signedIn(world, world.staff.coordA);
    const controller = new AbortController();
    const res = await fetch(`${world.base}/inbox/events?watch=queue`, {
      headers: { cookie: coordinator.cookieHeader(), accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let received = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += new TextDecoder().decode(value);
        if (received.includes('event: change')) return;
      }
    })();
    await handoverFrom(world, 'cai');
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`no change event: ${received}`)), 8000))]);
    controller.abort();
    expect(received).toContain('event: change');
  });
});
