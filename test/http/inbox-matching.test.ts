import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { chat, signedIn, startInboxWorld, type InboxWorld } from '../helpers/inbox.js';

/** The registration scripts of test/flows/conversations.test.ts: answers by option id, the same in every language. */
const menteeScript = (name: string) => ['#mentee', '#now', '#26_35', name, '#ar', '#pt', '#done', 'Arroios, Lisboa', '#woman', '#evenings', '#done', '#yes', '#any', '#no', '#friend', '#documents', '#housing', '#done', '#this_month', 'Papers and a room', '#no', '#3', '#2', '#4', '#1'];
const mentorScript = (name: string) => ['#mentor', '#now', '#36_50', name, '#pt', '#done', 'Lisboa', '#man', '#evenings', '#done', '#yes', '#documents', '#done', '#2', 'skip', '#no', '#done', '#accept', '#2', '#2', '#1', '#1'];

describe.each(databases)('matching and pairs in the inbox on $name', ({ create, skip }) => {
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

  /** Signs a person up through the chat with the organisation's link; returns their person id. */
  async function register(who: string, org: 'a' | 'b', lang: string, script: string[]): Promise<string> {
    await chat(world.app, who, [`/start ${world.orgs[org].slug}`, '1', '1', ...script], lang);
    const person = await world.app.ponte.db.prisma.person.findFirstOrThrow({ where: { address: who } });
    expect([person.organisationId, person.role, person.locale]).toEqual([world.orgs[org].id, who.startsWith('mentee') ? 'mentee' : 'mentor', lang]);
    return person.id;
  }

  const pairOf = (menteeId: string) => world.app.ponte.db.prisma.pair.findFirstOrThrow({ where: { menteeId }, orderBy: { createdAt: 'desc' } });
  const told = (address: string, from: number) => world.app.delivered.slice(from).filter((d) => d.address === address).map((d) => d.text);
  const tr = (lang: string, key: string, vars?: Record<string, string>) => world.app.ponte.translator.t(lang, key, vars);

  it.skipIf(skip)('explains the candidates, asks both in chat, and confirms the pair in each one’s language', async () => {
    const { app } = world;
    const mentee = await register('mentee-amira', 'a', 'pt', menteeScript('Amira'));
    const mentor = await register('mentor-rui', 'a', 'en', mentorScript('Rui'));
    const elsewhere = await register('mentor-bea', 'b', 'en', mentorScript('Bea'));
    const coordinator = await signedIn(world, world.staff.coordA);

    const page = await coordinator.get(`/inbox/people/${mentee}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Mentor candidates');
    expect(page.text).toContain('Rui');
    expect(page.text).not.toContain('Bea');
    // Each criterion with its points and the facts behind them.
    expect(page.text).toContain('Languages · 24 of 30');
    expect(page.text).toContain('Both speak Portuguese');
    expect(page.text).toContain('Knows about Documents and permits (1 of the 2 needs)');
    expect(page.text).toContain('Both free: Evenings');
    expect(page.text).toContain('Same area: Lisboa');
    expect(page.text).toContain('Propose Rui');

    const other = await coordinator.post(`/inbox/people/${mentee}/propose`, { mentorId: elsewhere });
    expect(other.status).toBe(400);
    expect(other.text).toContain('not among the candidates');
    expect(await app.ponte.db.prisma.pair.count()).toBe(0);

    const before = app.delivered.length;
    const proposed = await coordinator.post(`/inbox/people/${mentee}/propose`, { mentorId: mentor });
    expect(proposed.status).toBe(303);
    const pair = await pairOf(mentee);
    expect(proposed.location).toBe(`/inbox/pairs/${pair.id}?done=proposed`);
    expect(pair).toMatchObject({ status: 'consulting', mentorId: mentor, organisationId: world.orgs.a.id, proposedBy: world.staffIds.coordA });
    expect(pair.score).toBeGreaterThan(50);
    await app.settle();
    expect(told('mentee-amira', before).join('\n')).toContain(tr('pt', 'consultation:intro_mentor'));
    expect(told('mentee-amira', before).join('\n')).not.toContain('Rui');
    expect(told('mentor-rui', before).join('\n')).toContain(tr('en', 'consultation:intro_mentee'));
    expect(told('mentor-rui', before).join('\n')).not.toContain('Amira');

    const waiting = await coordinator.get(`/inbox/pairs/${pair.id}?done=proposed`);
    expect(waiting.text).toContain('Both being asked');
    expect(waiting.text).toContain('Asked, no answer yet');
    expect((await coordinator.post(`/inbox/pairs/${pair.id}/confirm`)).status).toBe(400);
    // No second proposal while this one is open.
    expect((await coordinator.post(`/inbox/people/${mentee}/propose`, { mentorId: mentor })).status).toBe(400);

    await chat(app, 'mentee-amira', ['1'], 'pt');
    expect((await coordinator.get(`/inbox/people/${mentee}`)).text).toContain('Mentee: Said yes');
    await chat(app, 'mentor-rui', ['1']);
    expect((await pairOf(mentee)).status).toBe('agreed');
    expect((await coordinator.get('/inbox')).text).toContain('Both agreed to a match');
    const agreed = await coordinator.get(`/inbox/pairs/${pair.id}`);
    expect(agreed.text).toContain('Confirm the pair');

    const confirmedAt = app.delivered.length;
    const confirmed = await coordinator.post(`/inbox/pairs/${pair.id}/confirm`);
    expect([confirmed.status, confirmed.location]).toEqual([303, `/inbox/pairs/${pair.id}?done=confirmed`]);
    await app.settle();
    // The confirmation, then the ground rules and the code of ethics, to be agreed to in chat.
    expect(told('mentee-amira', confirmedAt).slice(0, 3).map((x) => x.split('\n')[0])).toEqual([
      tr('pt', 'consultation:confirmed_mentee', { name: 'Rui' }),
      tr('pt', 'consultation:ground_rules').split('\n')[0],
      tr('pt', 'consultation:rules_ask'),
    ]);
    expect(told('mentor-rui', confirmedAt).slice(0, 3).map((x) => x.split('\n')[0])).toEqual([
      tr('en', 'consultation:confirmed_mentor', { name: 'Amira' }),
      tr('en', 'consultation:ground_rules').split('\n')[0],
      tr('en', 'consultation:rules_ask'),
    ]);
    const active = await pairOf(mentee);
    expect(active.status).toBe('active');
    expect(active.confirmedAt).not.toBeNull();
    expect(await app.ponte.db.prisma.inboxItem.count({ where: { status: 'open', kind: { startsWith: 'consultation' } } })).toBe(0);
    const audited = await app.ponte.db.prisma.auditEntry.findMany({ where: { subject: `pair:${pair.id}` }, orderBy: { id: 'asc' } });
    expect(audited.map((a) => [a.action, a.staffId])).toEqual([
      ['pair.propose', world.staffIds.coordA],
      ['pair.confirm', world.staffIds.coordA],
    ]);

    const done = await coordinator.get(`/inbox/pairs/${pair.id}?done=confirmed`);
    expect(done.text).toContain('Confirmed. Both have been told');
    expect(done.text).toContain('Pause the pair');
    const list = await coordinator.get('/inbox/pairs?status=active');
    expect(list.text).toContain(`/inbox/pairs/${pair.id}`);
    expect((await coordinator.get('/inbox/pairs?status=declined')).text).not.toContain(`/inbox/pairs/${pair.id}`);
    // With an active pair, the mentee's page shows the pair, not candidates.
    const paired = await coordinator.get(`/inbox/people/${mentee}`);
    expect(paired.text).toContain(`/inbox/pairs/${pair.id}`);
    expect(paired.text).not.toContain('Mentor candidates');
  });

  it.skipIf(skip)('keeps another organisation’s coordinator out of the mentee and the pair', async () => {
    const mentee = await register('mentee-amira', 'a', 'en', menteeScript('Amira'));
    const mentor = await register('mentor-rui', 'a', 'en', mentorScript('Rui'));
    const coordA = await signedIn(world, world.staff.coordA);
    await coordA.get(`/inbox/people/${mentee}`);
    expect((await coordA.post(`/inbox/people/${mentee}/propose`, { mentorId: mentor })).status).toBe(303);
    const pair = await pairOf(mentee);

    const coordB = await signedIn(world, world.staff.coordB);
    expect((await coordB.get(`/inbox/people/${mentee}`)).status).toBe(404);
    expect((await coordB.get(`/inbox/pairs/${pair.id}`)).status).toBe(404);
    expect((await coordB.get('/inbox/pairs')).text).not.toContain(pair.id);
    expect((await coordB.post(`/inbox/people/${mentee}/propose`, { mentorId: mentor })).status).toBe(404);
    for (const action of ['ask', 'confirm', 'pause', 'resume', 'end', 'rematch']) {
      expect((await coordB.post(`/inbox/pairs/${pair.id}/${action}`, { reason: 'not mine', side: 'mentee' })).status, action).toBe(404);
    }
    expect((await pairOf(mentee)).status).toBe('consulting');
    const admin = await signedIn(world, world.staff.admin);
    expect((await admin.get(`/inbox/pairs/${pair.id}`)).status).toBe(200);

    // Withdrawn by its own organisation: both were asked, so both are told it will not go ahead.
    await world.app.settle();
    const before = world.app.delivered.length;
    await coordA.get(`/inbox/pairs/${pair.id}`);
    expect((await coordA.post(`/inbox/pairs/${pair.id}/end`, { reason: 'a better match came up' })).status).toBe(303);
    await world.app.settle();
    expect((await pairOf(mentee)).status).toBe('ended');
    expect(told('mentee-amira', before)).toEqual([tr('en', 'pairs:withdrawn')]);
    expect(told('mentor-rui', before)).toEqual([tr('en', 'pairs:withdrawn')]);
  });

  it.skipIf(skip)('pauses, resumes and ends a pair with a reason, telling both kindly in their language', async () => {
    const { app } = world;
    const prisma = app.ponte.db.prisma;
    const mentee = await register('mentee-amira', 'a', 'pt', menteeScript('Amira'));
    const mentor = await register('mentor-rui', 'a', 'en', mentorScript('Rui'));
    const pairId = randomUUID();
    await prisma.pair.create({ data: { id: pairId, organisationId: world.orgs.a.id, menteeId: mentee, mentorId: mentor, status: 'active', consultation: {}, confirmedAt: new Date() } });
    const coordinator = await signedIn(world, world.staff.coordA);
    await coordinator.get(`/inbox/pairs/${pairId}`);

    const noReason = await coordinator.post(`/inbox/pairs/${pairId}/pause`, { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('give a reason');
    expect((await coordinator.post(`/inbox/pairs/${pairId}/resume`, { reason: 'not paused' })).status).toBe(400);

    for (const [action, status, done] of [['pause', 'paused', 'paused'], ['resume', 'active', 'resumed'], ['end', 'ended', 'ended']] as const) {
      const before = app.delivered.length;
      const res = await coordinator.post(`/inbox/pairs/${pairId}/${action}`, { reason: `${action}: the mentor is travelling` });
      expect([res.status, res.location]).toEqual([303, `/inbox/pairs/${pairId}?done=${done}`]);
      await app.settle();
      expect((await prisma.pair.findUniqueOrThrow({ where: { id: pairId } })).status).toBe(status);
      expect(told('mentee-amira', before)).toEqual([tr('pt', `pairs:status_${status}`)]);
      expect(told('mentor-rui', before)).toEqual([tr('en', `pairs:status_${status}`)]);
      // The reason stays with the coordinators.
      expect(told('mentee-amira', before).join()).not.toContain('travelling');
    }
    const page = await coordinator.get(`/inbox/pairs/${pairId}`);
    for (const word of ['Paused', 'Resumed', 'Ended', 'end: the mentor is travelling', world.staff.coordA]) expect(page.text).toContain(word);
    expect((await coordinator.post(`/inbox/pairs/${pairId}/resume`, { reason: 'again' })).status).toBe(400);
    // The mentee can be matched again.
    expect((await coordinator.get(`/inbox/people/${mentee}`)).text).toContain('Mentor candidates');
  });

  it.skipIf(skip)('sends a declined mentee back to the candidates, and re-matches a pair from its page', async () => {
    const { app } = world;
    const mentee = await register('mentee-amira', 'a', 'en', menteeScript('Amira'));
    const mentor = await register('mentor-rui', 'a', 'en', mentorScript('Rui'));
    const coordinator = await signedIn(world, world.staff.coordA);
    await coordinator.get(`/inbox/people/${mentee}`);
    await coordinator.post(`/inbox/people/${mentee}/propose`, { mentorId: mentor });
    await app.settle();
    await chat(app, 'mentor-rui', ['2', 'skip']);
    const declined = await pairOf(mentee);
    expect(declined.status).toBe('declined');
    expect((await coordinator.get('/inbox')).text).toContain('A proposed match was declined');
    const page = await coordinator.get(`/inbox/people/${mentee}`);
    expect(page.text).toContain('Mentor: Said no');
    expect(page.text).toContain('Mentor candidates');

    // Proposed again, agreed and confirmed; then the coordinator re-matches from the pair's page.
    await coordinator.post(`/inbox/people/${mentee}/propose`, { mentorId: mentor });
    expect(await app.ponte.db.prisma.inboxItem.count({ where: { status: 'open', kind: 'consultation_declined' } })).toBe(0);
    await app.settle();
    await chat(app, 'mentee-amira', ['1']);
    await chat(app, 'mentor-rui', ['1']);
    const second = await pairOf(mentee);
    await coordinator.get(`/inbox/pairs/${second.id}`);
    expect((await coordinator.post(`/inbox/pairs/${second.id}/confirm`)).status).toBe(303);
    const rematch = await coordinator.post(`/inbox/pairs/${second.id}/rematch`, { reason: 'they did not get on' });
    expect([rematch.status, rematch.location]).toEqual([303, `/inbox/people/${mentee}#matching`]);
    expect((await app.ponte.db.prisma.pair.findUniqueOrThrow({ where: { id: second.id } })).status).toBe('ended');
    expect((await coordinator.get(`/inbox/people/${mentee}`)).text).toContain('Propose Rui');
  });
});
