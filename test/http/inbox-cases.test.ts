import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/http/inbox/html.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { chat, signedIn, startInboxWorld, type InboxClient, type InboxWorld } from '../helpers/inbox.js';

const DESCRIPTION = 'He keeps sending me messages at night';
const HOUR = 3_600_000;

describe.each(databases)('misconduct cases in the inbox on $name', ({ create, skip }) => {
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

  const prisma = () => world.app.ponte.db.prisma;
  const t = (locale: string, key: string, vars?: Record<string, string>) => world.app.ponte.translator.t(locale, key, vars);

  /** A visitor of organisation a, writing in Portuguese, reports harassment (no one in danger now). */
  async function reportInChat(who = 'r1') {
    await chat(world.app, who, ['/start org-a', '1', '1', '#visitor', 'report', '#harassment', '#today', '#no', DESCRIPTION, '#yes'], 'pt');
    const reporter = await prisma().person.findFirstOrThrow({ where: { address: who } });
    const found = await prisma().case.findFirstOrThrow({ where: { reporterId: reporter.id } });
    expect(found.organisationId).toBe(world.orgs.a.id);
    return { reporter, case: found };
  }

  /** The other side: a mentor of organisation a who reads Ukrainian, in an active pair with the mentee. */
  async function otherPartyWithPair(menteeId: string) {
    const other = await prisma().person.create({
      data: { id: randomUUID(), channel: 'local', address: 'o1', locale: 'uk', localeConfirmed: true, consent: 'granted', role: 'mentor', organisationId: world.orgs.a.id, registration: { name: 'Oleh' } },
    });
    const pair = await prisma().pair.create({ data: { id: randomUUID(), organisationId: world.orgs.a.id, menteeId, mentorId: other.id, status: 'active', consultation: {} } });
    return { other, pair };
  }

  /** The part of a page (a queue entry, a table row) that names the reference. */
  const entryOf = (page: string, reference: string) => page.split(/<tr>|<li class="entry/).find((chunk) => chunk.includes(reference)) ?? '';
  const delivered = (address: string) => world.app.delivered.filter((d) => d.address === address);
  const auditOf = (caseId: string) => prisma().auditEntry.findMany({ where: { subject: `case:${caseId}` }, orderBy: { id: 'asc' } });

  async function take(client: InboxClient, caseId: string) {
    await client.get(`/inbox/cases/${caseId}`);
    const res = await client.post(`/inbox/cases/${caseId}/take`);
    expect([res.status, res.location]).toEqual([303, `/inbox/cases/${caseId}?done=taken`]);
    return res.location!;
  }
  /** The reason a refused form was given on its error page. */
  const reason = (page: string) => /<p class="error">([^<]*)<\/p>/.exec(page)?.[1] ?? '';

  it.skipIf(skip)('shows a chat report to its organisation’s coordinators and admins; another organisation gets 404 for the case and every action', async () => {
    const { case: c } = await reportInChat();
    const [admin, coordA, coordB] = await Promise.all([signedIn(world, world.staff.admin), signedIn(world, world.staff.coordA), signedIn(world, world.staff.coordB)]);

    expect((await coordA.get('/inbox')).text).toContain(c.reference);
    expect((await admin.get('/inbox')).text).toContain(c.reference);
    expect((await coordB.get('/inbox')).text).not.toContain(c.reference);
    expect((await coordA.get('/inbox/cases')).text).toContain(c.reference);
    expect((await coordB.get('/inbox/cases?status=all')).text).not.toContain(c.reference);

    expect((await coordB.get(`/inbox/cases/${c.id}`)).status).toBe(404);
    const forms: Record<string, Record<string, string>> = {
      take: {},
      assign: { staffId: world.staffIds.coordB },
      triage: { severity: 'urgent' },
      acknowledge: {},
      status: { status: 'under_review' },
      parties: {},
      action: { action: 'note', note: 'looked at it' },
      message: { to: 'reporter', text: 'hello' },
      close: { outcome: 'resolved', note: 'done' },
    };
    for (const [action, form] of Object.entries(forms)) {
      expect((await coordB.post(`/inbox/cases/${c.id}/${action}`, form)).status, action).toBe(404);
    }
    // Even a form that would be refused says nothing about another organisation's case.
    expect((await coordB.post(`/inbox/cases/${c.id}/triage`, { severity: 'bogus' })).status).toBe(404);
    const after = await prisma().case.findUniqueOrThrow({ where: { id: c.id }, include: { assignees: true, actions: true } });
    expect([after.status, after.severity, after.assignees.length, after.actions.length]).toEqual(['new', null, 0, 0]);
  });

  it.skipIf(skip)('lets a coordinator who is not assigned see that a case exists but not what is in it, until assigned', async () => {
    const { case: c } = await reportInChat();
    const [admin, coordA, coordA2] = await Promise.all([signedIn(world, world.staff.admin), signedIn(world, world.staff.coordA), signedIn(world, world.staff.coordA2)]);

    const unassigned = await coordA2.get(`/inbox/cases/${c.id}`);
    expect(unassigned.status).toBe(200);
    expect(unassigned.text).toContain(c.reference);
    expect(unassigned.text).not.toContain(DESCRIPTION);
    expect(unassigned.text).toContain(`action="/inbox/cases/${c.id}/take"`);

    const mine = await coordA.get(await take(coordA, c.id));
    expect(mine.text).toContain(DESCRIPTION);
    expect(mine.text).toContain('The case is yours now.');

    // coordA2 still sees only the summary, may not take a taken case, and may not act on it.
    const other = await coordA2.get(`/inbox/cases/${c.id}`);
    expect(other.text).not.toContain(DESCRIPTION);
    expect(other.text).not.toContain(`/inbox/cases/${c.id}/take`);
    expect((await coordA2.post(`/inbox/cases/${c.id}/take`)).status).toBe(400);
    expect((await coordA2.post(`/inbox/cases/${c.id}/triage`, { severity: 'high' })).status).toBe(403);
    expect((await coordA2.post(`/inbox/cases/${c.id}/message`, { to: 'reporter', text: 'hello' })).status).toBe(403);
    const list = await coordA2.get('/inbox/cases');
    expect(entryOf(list.text, c.reference)).toContain('Another coordinator');

    // Only an admin assigns someone else; then coordA2 reads it too.
    expect((await coordA.post(`/inbox/cases/${c.id}/assign`, { staffId: world.staffIds.coordA2 })).status).toBe(400);
    const adminPage = await admin.get(`/inbox/cases/${c.id}`);
    expect(adminPage.text).toContain(DESCRIPTION);
    expect((await admin.post(`/inbox/cases/${c.id}/assign`, { staffId: world.staffIds.coordB })).status).toBe(400);
    expect((await admin.post(`/inbox/cases/${c.id}/assign`, { staffId: world.staffIds.coordA2 })).status).toBe(303);
    expect((await coordA2.get(`/inbox/cases/${c.id}`)).text).toContain(DESCRIPTION);

    const entries = await auditOf(c.id);
    const views = entries.filter((e) => e.action === 'case.view').map((e) => e.staffId);
    expect(new Set(views)).toEqual(new Set([world.staffIds.coordA, world.staffIds.admin, world.staffIds.coordA2]));
    expect(entries.find((e) => e.action === 'case.take')?.staffId).toBe(world.staffIds.coordA);
    expect(entries.find((e) => e.action === 'case.assign')).toMatchObject({ staffId: world.staffIds.admin, detail: { staffId: world.staffIds.coordA2 } });
  });

  it.skipIf(skip)('triage as urgent pauses the active pair, alerts the staff and gives an hour; overdue shows until acknowledged', async () => {
    const { reporter, case: c } = await reportInChat();
    const { pair } = await otherPartyWithPair(reporter.id);
    const coordA = await signedIn(world, world.staff.coordA);
    await take(coordA, c.id);

    expect((await coordA.post(`/inbox/cases/${c.id}/triage`, { severity: 'severe' })).status).toBe(400);
    const before = Date.now();
    const res = await coordA.post(`/inbox/cases/${c.id}/triage`, { severity: 'urgent', note: 'Messages at night, she is scared' });
    expect([res.status, res.location]).toEqual([303, `/inbox/cases/${c.id}?done=triaged`]);

    expect((await prisma().pair.findUniqueOrThrow({ where: { id: pair.id } })).status).toBe('paused');
    const triaged = await prisma().case.findUniqueOrThrow({ where: { id: c.id }, include: { actions: true } });
    expect(triaged).toMatchObject({ severity: 'urgent', urgent: true, status: 'triaged', pairId: pair.id });
    const due = Number(triaged.dueAt);
    expect(due).toBeGreaterThan(before + 0.9 * HOUR);
    expect(due).toBeLessThanOrEqual(Date.now() + HOUR);
    const alert = triaged.actions.find((a) => a.action === 'alert')!;
    // Every coordinator of organisation a and the admin; not organisation b's coordinator.
    expect(new Set(JSON.parse(alert.note).alerted)).toEqual(new Set([world.staffIds.admin, world.staffIds.coordA, world.staffIds.coordA2]));
    expect(triaged.actions.map((a) => a.action)).toEqual(expect.arrayContaining(['assign', 'triage', 'pause_pair', 'alert']));
    const page = await coordA.get(`/inbox/cases/${c.id}`);
    expect(page.text).toContain('3 staff members alerted');
    expect(page.text).toContain('Messages at night, she is scared');

    // Not acknowledged and past its time: flagged in the queue and the list.
    await prisma().case.update({ where: { id: c.id }, data: { dueAt: BigInt(Date.now() - 60_000) } });
    expect(entryOf((await coordA.get('/inbox')).text, c.reference)).toContain('badge overdue');
    expect(entryOf((await coordA.get('/inbox/cases')).text, c.reference)).toContain('badge overdue');

    await coordA.get(`/inbox/cases/${c.id}`);
    expect((await coordA.post(`/inbox/cases/${c.id}/acknowledge`)).status).toBe(303);
    expect((await prisma().case.findUniqueOrThrow({ where: { id: c.id } })).acknowledgedAt).not.toBeNull();
    expect(entryOf((await coordA.get('/inbox/cases')).text, c.reference)).not.toContain('badge overdue');
    const actions = (await auditOf(c.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['case.take', 'case.view', 'case.triage', 'case.acknowledge']));
    expect(await prisma().auditEntry.count({ where: { action: 'pair.paused', subject: `pair:${pair.id}` } })).toBe(1);
  });

  it.skipIf(skip)('writes to each side in their own language from prepared texts, never revealing the reporter to the other party', async () => {
    const { reporter, case: c } = await reportInChat();
    await prisma().person.update({ where: { id: reporter.id }, data: { registration: { name: 'Amina' } } });
    const { other } = await otherPartyWithPair(reporter.id);
    const coordA = await signedIn(world, world.staff.coordA);
    await take(coordA, c.id);

    const toReporter = t('pt', 'casework:reporter_contact', { reference: c.reference });
    const page = await coordA.get(`/inbox/cases/${c.id}`);
    expect(page.text).toContain(`>${escapeHtml(toReporter)}</textarea>`);
    expect(page.text).toContain('To the reporter, Amina, in Portuguese');
    expect(page.text).toContain('Say who the case is about (above) to write to the other party.');

    // The coordinator edits the prepared text; it reaches the reporter as written, in Portuguese.
    const edited = `${toReporter}\nPosso ligar-lhe amanhã às 10h?`;
    expect((await coordA.post(`/inbox/cases/${c.id}/message`, { to: 'reporter', text: edited })).status).toBe(303);
    await world.app.settle();
    expect(delivered('r1').at(-1)).toMatchObject({ text: edited, message: { kind: 'text', locale: 'pt' } });

    expect((await coordA.post(`/inbox/cases/${c.id}/parties`, { subjectId: other.id })).status).toBe(303);
    const toOther = t('uk', 'casework:other_contact');
    for (const revealing of [c.reference, 'Amina', DESCRIPTION]) expect(toOther).not.toContain(revealing);
    const withOther = await coordA.get(`/inbox/cases/${c.id}`);
    expect(withOther.text).toContain(`>${escapeHtml(toOther)}</textarea>`);
    expect(withOther.text).toContain('To the other party, Oleh, in Ukrainian');
    expect((await coordA.post(`/inbox/cases/${c.id}/message`, { to: 'other', text: toOther })).status).toBe(303);
    await world.app.settle();
    expect(delivered('o1').at(-1)).toMatchObject({ text: toOther, message: { kind: 'text', locale: 'uk' } });
    for (const d of delivered('o1')) for (const revealing of [c.reference, 'Amina', DESCRIPTION]) expect(d.text).not.toContain(revealing);

    expect((await coordA.post(`/inbox/cases/${c.id}/message`, { to: 'reporter', text: '   ' })).status).toBe(400);
    expect((await coordA.post(`/inbox/cases/${c.id}/message`, { to: 'everyone', text: 'hello' })).status).toBe(400);
    const after = await prisma().case.findUniqueOrThrow({ where: { id: c.id }, include: { actions: { orderBy: { id: 'asc' } } } });
    expect(after.status).toBe('under_review');
    const contacts = after.actions.filter((a) => a.action.startsWith('contact_')).map((a) => [a.action, a.staffId, JSON.parse(a.note).locale]);
    expect(contacts).toEqual([
      ['contact_reporter', world.staffIds.coordA, 'pt'],
      ['contact_other', world.staffIds.coordA, 'uk'],
    ]);
    const timeline = (await coordA.get(`/inbox/cases/${c.id}`)).text;
    expect(timeline).toContain('Message sent in Portuguese');
    expect(timeline).toContain('Message sent in Ukrainian');
    expect((await auditOf(c.id)).filter((e) => e.action === 'case.message').map((e) => e.detail)).toEqual([
      { to: 'reporter', locale: 'pt' },
      { to: 'other', locale: 'uk' },
    ]);
  });

  it.skipIf(skip)('closes only with an outcome and a note, and tells the reporter, with nothing about the other side', async () => {
    const { case: c } = await reportInChat();
    const coordA = await signedIn(world, world.staff.coordA);
    await take(coordA, c.id);
    const refused: Record<string, string>[] = [{}, { outcome: 'resolved' }, { note: 'Spoke to both' }, { outcome: 'forgiven', note: 'Spoke to both' }, { outcome: 'resolved', note: '  ' }];
    for (const form of refused) {
      const res = await coordA.post(`/inbox/cases/${c.id}/close`, form);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(reason(res.text)).toMatch(/^(outcome|note): /);
    }
    expect((await prisma().case.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('new');

    const before = delivered('r1').length;
    const res = await coordA.post(`/inbox/cases/${c.id}/close`, { outcome: 'resolved', note: 'Spoke to both; the messages stopped.' });
    expect([res.status, res.location]).toEqual([303, `/inbox/cases/${c.id}?done=closed`]);
    const closed = await prisma().case.findUniqueOrThrow({ where: { id: c.id } });
    expect(closed).toMatchObject({ status: 'closed', outcome: 'resolved' });
    expect(closed.closedAt).not.toBeNull();
    await world.app.settle();
    const told = delivered('r1').slice(before);
    expect(told.map((d) => [d.text, d.message.locale])).toEqual([[t('pt', 'casework:closed_reporter', { reference: c.reference }), 'pt']]);
    expect(told[0]!.text).not.toContain('Spoke to both');

    // A closed case takes no more changes.
    expect((await coordA.post(`/inbox/cases/${c.id}/action`, { action: 'note', note: 'one more thing' })).status).toBe(400);
    const page = await coordA.get(`/inbox/cases/${c.id}`);
    expect(page.text).toContain('Closure notice sent in Portuguese');
    expect(page.text).not.toContain(`/inbox/cases/${c.id}/close"`);
    expect((await auditOf(c.id)).find((e) => e.action === 'case.close')?.detail).toEqual({ outcome: 'resolved', reporterTold: true });
  });

  it.skipIf(skip)('opens a case from the inbox, and a case involving a minor needs two different staff members to close', async () => {
    const { reporter } = await reportInChat();
    const [admin, coordA, coordB] = await Promise.all([signedIn(world, world.staff.admin), signedIn(world, world.staff.coordA), signedIn(world, world.staff.coordB)]);
    const form = { kind: 'minor', happened: 'this_week', severity: 'urgent', description: 'Her teacher called: a pupil was asked to meet alone', reporterId: reporter.id, contactOk: 'on' };

    await coordA.get('/inbox/cases/new');
    const missing = await coordA.post('/inbox/cases', { ...form, severity: '' });
    expect([missing.status, reason(missing.text)]).toEqual([400, 'severity: choose a severity: urgent, high or normal']);
    // Another organisation's coordinator cannot open a case about organisation a's people.
    await coordB.get('/inbox/cases/new');
    expect((await coordB.post('/inbox/cases', form)).status).toBe(400);

    const opened = await coordA.post('/inbox/cases', form);
    expect(opened.status).toBe(303);
    const id = /^\/inbox\/cases\/([^?]+)\?done=opened$/.exec(opened.location ?? '')![1]!;
    const c = await prisma().case.findUniqueOrThrow({ where: { id }, include: { assignees: true } });
    expect(c).toMatchObject({ source: 'coordinator', involvesMinor: true, severity: 'urgent', status: 'triaged', organisationId: world.orgs.a.id, reporterId: reporter.id, contactOk: true });
    expect(c.reference).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(c.assignees.map((a) => a.staffId)).toEqual([world.staffIds.coordA]);
    expect(Number(c.dueAt)).toBeGreaterThan(Date.now() + 0.9 * HOUR);

    await coordA.get(`/inbox/cases/${id}`);
    const first = await coordA.post(`/inbox/cases/${id}/close`, { outcome: 'referred', note: 'Referred to the school and the CPCJ' });
    expect(first.location).toBe(`/inbox/cases/${id}?done=approved`);
    expect(await prisma().case.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'triaged', closeApprovedBy: world.staffIds.coordA, outcome: 'referred' });
    const again = await coordA.post(`/inbox/cases/${id}/close`, { outcome: 'referred', note: 'Closing it now' });
    expect(again.status).toBe(400);
    expect(reason(again.text)).toContain('closed by two staff members');
    expect((await prisma().case.findUniqueOrThrow({ where: { id } })).status).toBe('triaged');

    await admin.get(`/inbox/cases/${id}`);
    const second = await admin.post(`/inbox/cases/${id}/close`, { outcome: 'referred', note: 'Agreed: referred' });
    expect(second.location).toBe(`/inbox/cases/${id}?done=closed`);
    const closed = await prisma().case.findUniqueOrThrow({ where: { id }, include: { actions: { orderBy: { id: 'asc' } } } });
    expect(closed.status).toBe('closed');
    expect(closed.actions.filter((a) => a.action.startsWith('close')).map((a) => [a.action, a.staffId])).toEqual([
      ['close_approve', world.staffIds.coordA],
      ['close', world.staffIds.admin],
    ]);
    const audit = (await auditOf(id)).map((e) => [e.action, e.staffId]);
    expect(audit).toEqual(expect.arrayContaining([['case.open', world.staffIds.coordA], ['case.close_approve', world.staffIds.coordA], ['case.close', world.staffIds.admin]]));
  });

  it.skipIf(skip)('removes the other party from the programme: their pairs end and they leave matching, but can still write', async () => {
    const { reporter, case: c } = await reportInChat();
    const { other, pair } = await otherPartyWithPair(reporter.id);
    const coordA = await signedIn(world, world.staff.coordA);
    await take(coordA, c.id);
    expect((await coordA.post(`/inbox/cases/${c.id}/action`, { action: 'remove', note: '' })).status).toBe(400);
    expect((await coordA.post(`/inbox/cases/${c.id}/action`, { action: 'remove', note: 'Second report about him' })).status).toBe(400);
    await coordA.post(`/inbox/cases/${c.id}/parties`, { subjectId: other.id });
    const res = await coordA.post(`/inbox/cases/${c.id}/action`, { action: 'remove', note: 'Second report about him' });
    expect(res.status).toBe(303);
    expect((await prisma().pair.findUniqueOrThrow({ where: { id: pair.id } })).status).toBe('ended');
    expect(await prisma().person.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({ role: 'visitor', surveysOff: true });
    expect((await prisma().case.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('action_taken');
    expect((await coordA.get(`/inbox/cases/${c.id}`)).text).toContain('The person&#39;s page (was Mentor)');
  });
});
