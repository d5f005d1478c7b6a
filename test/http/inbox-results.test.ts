import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResultData, monthOf } from '../../src/db/results.js';
import { csvField } from '../../src/http/inbox/results.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { signedIn, startInboxWorld, type InboxClient, type InboxWorld } from '../helpers/inbox.js';

const DAY = 86_400_000;

/** Splits a CSV file (RFC 4180, CRLF) into rows of fields, undoing the quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      (row = []), (field = ''), (i += 1);
    } else field += c;
  }
  return rows;
}

/** The cells of the table row whose header cell is `label`, in a results section. */
function rowOf(page: string, sectionId: string, label: string): string[] {
  const section = new RegExp(`<section aria-labelledby="r-${sectionId}">[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';
  const row = [...section.matchAll(/<tr><th scope="row">([\s\S]*?)<\/th>([\s\S]*?)<\/tr>/g)].find((m) => m[1] === label);
  return row ? [...row[2]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!) : [];
}

describe.each(databases)('results in the inbox on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let world: InboxWorld;
  let coordA: InboxClient;
  let coordB: InboxClient;
  let admin: InboxClient;
  const now = Date.now();

  beforeAll(async () => {
    if (skip) return;
    database = await create();
    world = await startInboxWorld(database.url);
    [coordA, coordB, admin] = await Promise.all([signedIn(world, world.staff.coordA), signedIn(world, world.staff.coordB), signedIn(world, world.staff.admin)]);
    const prisma = world.app.ponte.db.prisma;
    const person = async (org: string, role: 'mentee' | 'mentor', registeredDaysAgo: number) => {
      const id = randomUUID();
      const registration = { role, name: `${role} ${id.slice(0, 4)}`, completedAt: new Date(now - registeredDaysAgo * DAY).toISOString() };
      await prisma.person.create({ data: { id, channel: 'local', address: id, locale: 'en', consent: 'granted', role, organisationId: org, registration } });
      return id;
    };
    const a = world.orgs.a.id;
    // Organisation a: two mentees (one answered the self-check), one mentor who answered too.
    const menteeA1 = await person(a, 'mentee', 20);
    const menteeA2 = await person(a, 'mentee', 5);
    const mentorA = await person(a, 'mentor', 30);
    await prisma.assessment.create({ data: { id: randomUUID(), personId: menteeA1, kind: 'baseline', role: 'mentee', answers: { q1: 1, q2: 2, q3: 2, q4: 4 }, createdAt: new Date(now - 20 * DAY) } });
    await prisma.assessment.create({ data: { id: randomUUID(), personId: mentorA, kind: 'baseline', role: 'mentor', answers: { q1: 3, q2: 3, q3: 4, q4: 4 }, createdAt: new Date(now - 30 * DAY) } });
    // One pair confirmed 10 days after the mentee registered, one still being asked (the mentee answered).
    const pair = await prisma.pair.create({
      data: { id: randomUUID(), organisationId: a, menteeId: menteeA1, mentorId: mentorA, status: 'active', consultation: { mentee: { answer: 'yes' }, mentor: { answer: 'yes' } }, confirmedAt: new Date(now - 10 * DAY) },
    });
    await prisma.pair.create({ data: { id: randomUUID(), organisationId: a, menteeId: menteeA2, mentorId: mentorA, status: 'consulting', consultation: { mentee: { answer: 'question', question: 'when?' } } } });
    // Two sessions have taken place (one held in person, one missed), one is still to come; one monthly survey of two answered.
    const session = (status: string, daysFromNow: number, mode = 'in_person') =>
      prisma.mentoringSession.create({ data: { id: randomUUID(), pairId: pair.id, proposedBy: 'mentee', startsAt: new Date(now + daysFromNow * DAY), minutes: 60, mode, status } });
    const held = await session('held', -2);
    await session('missed', -1, 'online');
    await session('confirmed', 3);
    await prisma.sessionFeedback.create({ data: { sessionId: held.id, side: 'mentee', happened: true, rating: 3 } });
    await prisma.surveyResponse.create({ data: { id: randomUUID(), personId: menteeA1, survey: 'monthly', period: '2026-01', role: 'mentee', sentAt: new Date(now - DAY), answeredAt: new Date(), answers: { q1: 3 } } });
    await prisma.surveyResponse.create({ data: { id: randomUUID(), personId: mentorA, survey: 'monthly', period: '2026-01', role: 'mentor', sentAt: new Date(now - DAY) } });
    // Info days whose titles a spreadsheet must read as they are.
    const day = await prisma.infoDay.create({ data: { id: randomUUID(), organisationId: a, title: 'Welcome, "friends"', place: 'Arroios', startsAt: new Date(now + 5 * DAY), capacity: 30 } });
    await prisma.infoDay.create({ data: { id: randomUUID(), organisationId: a, title: '=HYPERLINK("http://x")', place: 'Arroios', startsAt: new Date(now + 6 * DAY) } });
    await prisma.infoDaySignup.create({ data: { infoDayId: day.id, personId: menteeA1 } });
    await prisma.infoDaySignup.create({ data: { infoDayId: day.id, personId: menteeA2, cancelledAt: new Date() } });
    await prisma.inboxItem.create({ data: { id: randomUUID(), personId: menteeA2, kind: 'handover', status: 'closed', createdAt: new Date(now - 4 * 3_600_000), closedAt: new Date(now - 3_600_000) } });
    await prisma.case.create({ data: { id: randomUUID(), reference: 'A-1', kind: 'boundary', happened: 'today', danger: false, description: 'x', contactOk: true, organisationId: a, severity: 'high', status: 'triaged' } });

    // Organisation b: figures a's coordinators must never see.
    const b = world.orgs.b.id;
    const menteeB = await person(b, 'mentee', 3);
    await prisma.assessment.create({ data: { id: randomUUID(), personId: menteeB, kind: 'baseline', role: 'mentee', answers: { q1: 4, q2: 4, q3: 4, q4: 4 } } });
    await prisma.infoDay.create({ data: { id: randomUUID(), organisationId: b, title: 'Porto only evening', place: 'Porto', startsAt: new Date(now + 7 * DAY) } });
    await prisma.case.create({ data: { id: randomUUID(), reference: 'B-1', kind: 'other', happened: 'today', danger: true, description: 'x', contactOk: true, organisationId: b, severity: 'urgent', status: 'new' } });
  });
  afterAll(async () => {
    if (skip) return;
    await world.stop();
    await database.drop();
  });

  it.skipIf(skip)('shows an organisation’s figures as charts with the same numbers in tables', async () => {
    const res = await coordA.get('/inbox/results');
    expect(res.status).toBe(200);
    const page = res.text;
    expect(page).toContain('Figures for Organisation org-a.');
    expect(page).not.toContain('name="org"');

    // Response rates: 1 of 2 mentees and 1 of 1 mentor answered the self-check; both sides of 2 proposed pairs.
    expect(rowOf(page, 'response-rates', 'Mentees: self-assessment after registration')).toEqual(['2', '1', '50.0 %']);
    expect(rowOf(page, 'response-rates', 'Mentors: self-assessment after registration')).toEqual(['1', '1', '100.0 %']);
    expect(rowOf(page, 'response-rates', 'Mentees: answer to a proposed match')).toEqual(['2', '2', '100.0 %']);
    expect(rowOf(page, 'response-rates', 'Mentors: answer to a proposed match')).toEqual(['2', '1', '50.0 %']);
    expect(rowOf(page, 'response-rates', 'Monthly survey')).toEqual(['2', '1', '50.0 %']);
    expect(rowOf(page, 'response-rates', 'Final survey')).toEqual(['0', '0', '—']);
    // Of the two sessions whose time has come, the mentee gave feedback on one, the mentor on none.
    expect(rowOf(page, 'response-rates', 'Mentees: feedback after a session')).toEqual(['2', '1', '50.0 %']);
    expect(rowOf(page, 'response-rates', 'Mentors: feedback after a session')).toEqual(['2', '0', '0.0 %']);
    expect(rowOf(page, 'feedback', 'Mentees')).toEqual(['1', '1', '0', '0', '1', '0', '3.00']);
    const sessions = [2, 1].map((days) => monthOf(new Date(now - days * DAY), 'Europe/Lisbon'));
    const sessionRows = [...new Set(sessions)].map((m) => rowOf(page, 'sessions', new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${m}-15T00:00:00Z`))));
    expect([0, 1, 2, 3].map((i) => sessionRows.reduce((n, r) => n + Number(r[i]), 0))).toEqual([1, 1, 0, 1]);
    expect(page).toContain('<title id="chart-sessions-title">Sessions held and missed</title>');

    // Likert: each statement's answers, with the bot's own words for it.
    expect(rowOf(page, 'likert', 'At the start')).toEqual(['Mentee, statement 1: I know where to go for help with housing, work, health or papers.', '1', '0', '0', '0', '1', '1.00']);
    expect(page).toMatch(/<svg class="chart"[^>]*role="img" aria-labelledby="chart-likert-title chart-likert-desc"/);
    expect(page).toContain('<title id="chart-likert-title">Self-assessment answers</title>');
    expect(page).toMatch(/<desc id="chart-likert-desc">Mentee, statement 1: 1 – Not at all 1, 2 – A little 0, 3 – Mostly 0, 4 – Very much 0;/);

    // Pairs, time to match (10 days), and the active pair.
    expect(rowOf(page, 'pairs', 'Active')).toEqual(['1']);
    expect(rowOf(page, 'pairs', 'Being asked')).toEqual(['1']);
    expect(rowOf(page, 'time-to-match', '8 to 14 days')).toEqual(['1']);
    expect(page).toMatch(/Median wait \(days\)<\/dt><dd>10\.0<\/dd>/);
    expect(page).toContain('<title id="chart-pairs-title">Pairs</title>');
    expect(page).toMatch(/<desc id="chart-pairs-desc">Being asked: 1; Both agreed: 0; Active: 1;/);

    // Over time: this month's and earlier months' counts, as a line chart and a table.
    const thisMonth = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'Europe/Lisbon' }).format(now);
    expect(page).toContain('<title id="chart-monthly-title">Activity by month</title>');
    const months = [30, 20, 10, 5, 0].map((days) => monthOf(new Date(now - days * DAY), 'Europe/Lisbon'));
    const rows = [...new Set(months)].map((m) => rowOf(page, 'monthly', new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${m}-15T00:00:00Z`))));
    const sum = (i: number) => rows.reduce((n, r) => n + Number(r[i]), 0);
    expect([sum(0), sum(1), sum(2), sum(3), sum(4)]).toEqual([3, 2, 2, 1, 2]);
    expect(rowOf(page, 'monthly', thisMonth).length).toBe(7);
    expect(page).toContain('<title id="chart-likert-mentee-title">Mentees: mean answer by month of the self-assessment</title>');

    // Info days, requests, cases: a's only.
    expect(rowOf(page, 'info-days', 'Welcome, &quot;friends&quot;').slice(1)).toEqual(['30', '1', '1']);
    expect(rowOf(page, 'inbox-items', 'Wants to talk to a person')).toEqual(['1', '0', '3.0']);
    expect(rowOf(page, 'cases', 'High')).toEqual(['0', '1', '0', '0', '0', '1']);
    expect(rowOf(page, 'cases', 'Urgent')).toEqual(['0', '0', '0', '0', '0', '0']);
    expect(page).not.toContain('Porto only evening');
    // Every chart is an image with a title and a description, and has a table.
    const charts = [...page.matchAll(/<svg class="chart"[^>]*>/g)];
    expect(charts.length).toBeGreaterThanOrEqual(10);
    for (const [svg] of charts) expect(svg).toMatch(/role="img" aria-labelledby="([a-z-]+)-title \1-desc"/);
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)|\sstyle=/);
  });

  it.skipIf(skip)('never shows a coordinator another organisation’s figures, whatever the address asks', async () => {
    for (const path of ['/inbox/results', `/inbox/results?org=${world.orgs.a.slug}`]) {
      const page = (await coordB.get(path)).text;
      expect(page).toContain('Figures for Organisation org-b.');
      expect(page).not.toContain('friends');
      expect(page).toContain('Porto only evening');
      expect(rowOf(page, 'response-rates', 'Mentees: self-assessment after registration')).toEqual(['1', '1', '100.0 %']);
      expect(rowOf(page, 'pairs', 'Active')).toEqual(['0']);
      expect(rowOf(page, 'cases', 'Urgent')).toEqual(['1', '0', '0', '0', '0', '1']);
    }
    const csv = await coordB.get(`/inbox/results/info-days.csv?org=${world.orgs.a.slug}`);
    expect(csv.text).toContain('Porto only evening');
    expect(csv.text).not.toContain('friends');

    // The data layer holds the line too: asked for a's figures with b's scope, it finds nothing.
    const scopeB = { staffId: world.staffIds.coordB, role: 'coordinator' as const, organisationId: world.orgs.b.id };
    const data = await loadResultData(world.app.ponte.db.prisma, scopeB, { organisationId: world.orgs.a.id, timeZone: 'Europe/Lisbon', now: new Date() });
    expect([data.registered.length, data.assessments.length, data.pairs.length, data.infoDays.length, data.items.length, data.cases.length]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it.skipIf(skip)('lets an admin see every organisation or pick one', async () => {
    const all = (await admin.get('/inbox/results')).text;
    expect(all).toContain('<option value="org-a">Organisation org-a</option>');
    expect(rowOf(all, 'response-rates', 'Mentees: self-assessment after registration')).toEqual(['3', '2', '66.7 %']);
    expect(all).toContain('friends');
    expect(all).toContain('Porto only evening');
    const b = (await admin.get(`/inbox/results?org=${world.orgs.b.slug}`)).text;
    expect(b).toContain('<option value="org-b" selected>');
    expect(rowOf(b, 'response-rates', 'Mentees: self-assessment after registration')).toEqual(['1', '1', '100.0 %']);
    expect(b).not.toContain('friends');
    expect(b).toContain(`/inbox/results/cases.csv?org=${world.orgs.b.slug}`);
    expect((await admin.get('/inbox/results?org=no-such-org')).status).toBe(404);
  });

  it.skipIf(skip)('exports each table as CSV with a header row, proper quoting and no formulas', async () => {
    const res = await coordA.get('/inbox/results/info-days.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="ponte-info-days-org-a-\d{4}-\d{2}-\d{2}\.csv"$/);
    // The byte-order mark (which a text decoder drops) tells spreadsheet programs it is UTF-8.
    const raw = await fetch(`${world.base}/inbox/results/info-days.csv`, { headers: { cookie: coordA.cookieHeader() } });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.text).toContain('"Welcome, ""friends"""');
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(['Info day', 'Date and time', 'Places', 'Signed up', 'Cancelled']);
    const welcome = rows.find((r) => r[0] === 'Welcome, "friends"');
    expect(welcome?.slice(2)).toEqual(['30', '1', '1']);
    expect(welcome?.[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // A title a spreadsheet would run as a formula is kept as text.
    expect(rows.find((r) => r[0]!.includes('HYPERLINK'))?.[0]).toBe(`'=HYPERLINK("http://x")`);
    expect(rows.find((r) => r[0]!.includes('HYPERLINK'))?.[2]).toBe('');

    const rates = parseCsv((await coordA.get('/inbox/results/response-rates.csv')).text);
    expect(rates[0]).toEqual(['Question', 'Asked', 'Answered', 'Response rate (%)']);
    expect(rates[1]).toEqual(['Mentees: self-assessment after registration', '2', '1', '50']);
    const likert = parseCsv((await coordA.get('/inbox/results/likert.csv')).text);
    expect(likert.find((r) => r[1]!.startsWith('Mentor, statement 3'))?.slice(2)).toEqual(['0', '0', '0', '1', '1', '4']);

    // Each table on the page has its export; an unknown one is not found.
    const page = (await coordA.get('/inbox/results')).text;
    for (const id of ['response-rates', 'likert', 'likert-monthly', 'monthly', 'sessions', 'feedback', 'pairs', 'time-to-match', 'info-days', 'inbox-items', 'cases']) {
      expect(page, id).toContain(`href="/inbox/results/${id}.csv"`);
      const csv = await coordA.get(`/inbox/results/${id}.csv`);
      expect([csv.status, parseCsv(csv.text)[0]!.length > 1], id).toEqual([200, true]);
    }
    expect((await coordA.get('/inbox/results/people.csv')).status).toBe(404);
    expect((await coordA.get('/inbox/results/info-days.json')).status).toBe(404);
    // Every download is recorded: who took which table of which organisation.
    const exports = () => world.app.ponte.db.prisma.auditEntry.count({ where: { action: 'results.export', subject: 'results:cases', staffId: world.staffIds.coordA } });
    const before = await exports();
    await coordA.get('/inbox/results/cases.csv');
    expect(await exports()).toBe(before + 1);
    expect((await world.app.ponte.db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'results.export' }, orderBy: { id: 'desc' } })).detail).toEqual({ organisation: 'org-a' });
  });

  it('quotes a CSV field only when it must', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' edge')).toBe('" edge"');
  });
});
