import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWhen } from '../../src/core/context.js';
import { fromLocalInput, toLocalInput } from '../../src/http/inbox/info-days.js';
import { databases, type TestDatabase } from '../helpers/databases.js';
import { chat, signedIn, startInboxWorld, type InboxClient, type InboxWorld } from '../helpers/inbox.js';

const LISBON = 'Europe/Lisbon';

/** `YYYY-MM-DDT18:00` in Lisbon, `days` from now: what a coordinator types in the form. */
function localEvening(days: number, time = '18:00'): string {
  return `${toLocalInput(new Date(Date.now() + days * 86_400_000), LISBON).slice(0, 10)}T${time}`;
}

/** The path data of a QR code's dark modules, as the qrcode package draws it for a text. */
async function qrPath(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return /<path stroke="#000000" d="([^"]+)"/.exec(svg)![1]!;
}

describe.each(databases)('info days in the inbox on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let world: InboxWorld;
  let coordA: InboxClient;
  let coordB: InboxClient;
  let admin: InboxClient;
  beforeAll(async () => {
    if (skip) return;
    database = await create();
    world = await startInboxWorld(database.url);
    [coordA, coordB, admin] = await Promise.all([signedIn(world, world.staff.coordA), signedIn(world, world.staff.coordB), signedIn(world, world.staff.admin)]);
  });
  afterAll(async () => {
    if (skip) return;
    await world.stop();
    await database.drop();
  });

  const prisma = () => world.app.ponte.db.prisma;

  async function plan(client: InboxClient, form: Record<string, string>): Promise<string> {
    await client.get('/inbox/info-days/new');
    const res = await client.post('/inbox/info-days', form);
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const id = /^\/inbox\/info-days\/([^?]+)\?done=created$/.exec(res.location ?? '')?.[1];
    expect(id).toBeDefined();
    return id!;
  }

  /** A visitor of organisation a opens the info days in chat; returns what the bot listed. */
  async function openInfoDays(who: string, lang = 'en'): Promise<string> {
    const said = await chat(world.app, who, [`/start ${world.orgs.a.slug}`, '1', '1', '#visitor', '#infodays'], lang);
    return said.at(-1)!.text;
  }

  /** A person of organisation a signs up in chat for the day with this title (the list numbers the days). */
  async function signUp(who: string, title: string, lang = 'en'): Promise<void> {
    const lines = (await openInfoDays(who, lang)).split('\n').filter((l) => /^\d+\./.test(l));
    const number = lines.findIndex((l) => l.includes(title)) + 1;
    expect(number, `${title} in ${JSON.stringify(lines)}`).toBeGreaterThan(0);
    await chat(world.app, who, [String(number), '#signup'], lang);
  }

  it.skipIf(skip)('plans an info day in the organisation’s time, offers it in chat, and lists who signs up and cancels', async () => {
    const when = localEvening(10);
    const form = await coordA.get('/inbox/info-days/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="f-title">');
    expect(form.text).toContain('Local time in Europe/Lisbon.');
    expect(form.text).not.toContain('name="organisation"');
    const id = await plan(coordA, { title: 'Welcome evening', place: 'Biblioteca de Arroios', startsAt: when, capacity: '20' });

    const row = await prisma().infoDay.findUniqueOrThrow({ where: { id } });
    expect(row.organisationId).toBe(world.orgs.a.id);
    expect(toLocalInput(row.startsAt, LISBON)).toBe(when);
    expect(row.startsAt.toISOString()).toBe(fromLocalInput(when, LISBON)!.toISOString());
    expect(row.capacity).toBe(20);
    expect(await prisma().auditEntry.count({ where: { action: 'infoday.create', subject: `infoday:${id}`, staffId: world.staffIds.coordA } })).toBe(1);

    const list = await coordA.get('/inbox/info-days?done=created');
    expect(list.text).toContain('Welcome evening');
    expect(list.text).toContain('0 of 20');

    // In chat: the organisation's person sees it, signs up, and appears on the day's page.
    expect(await openInfoDays('ana')).toContain('Welcome evening');
    await chat(world.app, 'ana', ['1', '#signup']);
    const ana = await prisma().person.findFirstOrThrow({ where: { address: 'ana' } });
    expect(await prisma().infoDaySignup.findUnique({ where: { infoDayId_personId: { infoDayId: id, personId: ana.id } } })).toMatchObject({ cancelledAt: null });
    await prisma().person.update({ where: { id: ana.id }, data: { registration: { role: 'mentee', name: 'Ana Sousa' } } });
    // Someone who never gave a name is listed by their channel.
    await openInfoDays('carl', 'de');
    await chat(world.app, 'carl', ['1', '#signup'], 'de');

    const day = await coordA.get(`/inbox/info-days/${id}`);
    expect(day.status).toBe(200);
    expect(day.text).toContain('Ana Sousa');
    expect(day.text).toContain(`/inbox/people/${ana.id}`);
    expect(day.text).toContain('No name yet (Local chat)');
    expect(day.text).toContain('German');
    expect(day.text).toContain('2 people signed up');
    expect(day.text).not.toContain('Cancelled on');

    await chat(world.app, 'ana', ['menu', '#infodays', '1', '#cancel']);
    const after = await coordA.get(`/inbox/info-days/${id}`);
    expect(after.text).toContain('Cancelled on');
    expect(after.text).toContain('1 person signed up');
    expect((await coordA.get('/inbox/info-days')).text).toContain('1 of 20');
  });

  it.skipIf(skip)('changes a day and tells the people signed up, in their language, the new time and place', async () => {
    const id = await plan(coordA, { title: 'Coffee and questions', place: 'Junta de Arroios', startsAt: localEvening(12), capacity: '' });
    await signUp('bea', 'Coffee and questions', 'pt');
    const bea = await prisma().person.findFirstOrThrow({ where: { address: 'bea' } });
    await prisma().infoDaySignup.update({ where: { infoDayId_personId: { infoDayId: id, personId: bea.id } }, data: { remindedAt: new Date() } });

    const edit = await coordA.get(`/inbox/info-days/${id}/edit`);
    expect(edit.text).toContain('value="Coffee and questions"');
    expect(edit.text).toContain('the 1 person signed up is told');

    // Bad input: the form again, each error next to its field, nothing saved.
    const bad = await coordA.post(`/inbox/info-days/${id}`, { title: '  ', place: 'Junta de Arroios', startsAt: '2001-01-01T10:00', capacity: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Please correct 3 fields below.');
    expect(bad.text).toMatch(/id="f-title"[^>]*aria-describedby="title-hint title-error"[^>]*aria-invalid="true"/);
    expect(bad.text).toContain('<p class="error" id="title-error">Give the info day a title.</p>');
    expect(bad.text).toContain('<p class="error" id="startsAt-error">The date and time must be in the future.</p>');
    expect(bad.text).toContain('<p class="error" id="capacity-error">Give a whole number');
    const tooSmall = await coordA.post(`/inbox/info-days/${id}`, { title: 'Coffee and questions', place: 'Junta de Arroios', startsAt: localEvening(12), capacity: '0' });
    expect(tooSmall.status).toBe(400);
    expect((await prisma().infoDay.findUniqueOrThrow({ where: { id } })).title).toBe('Coffee and questions');

    const before = world.app.delivered.length;
    const moved = localEvening(13, '17:30');
    const saved = await coordA.post(`/inbox/info-days/${id}`, { title: 'Coffee & questions', place: 'Mercado de Arroios', startsAt: moved, capacity: '15' });
    expect([saved.status, saved.location]).toEqual([303, `/inbox/info-days/${id}?done=updated&told=1`]);
    await world.app.settle();
    const day = await prisma().infoDay.findUniqueOrThrow({ where: { id } });
    expect([day.title, day.place, toLocalInput(day.startsAt, LISBON), day.capacity]).toEqual(['Coffee & questions', 'Mercado de Arroios', moved, 15]);
    const told = world.app.delivered.slice(before).filter((d) => d.address === 'bea').map((d) => d.text);
    expect(told).toEqual([
      world.app.ponte.translator.t('pt', 'infodays-notices:changed', { title: 'Coffee & questions', when: formatWhen(day.startsAt.toISOString(), 'pt', LISBON), place: 'Mercado de Arroios' }),
    ]);
    expect(told[0]).toContain('Mercado de Arroios');
    // The day-before reminder is due again for the new time.
    expect((await prisma().infoDaySignup.findUniqueOrThrow({ where: { infoDayId_personId: { infoDayId: id, personId: bea.id } } })).remindedAt).toBeNull();
    expect(await prisma().auditEntry.count({ where: { action: 'infoday.update', subject: `infoday:${id}` } })).toBe(1);
    expect((await coordA.get(`/inbox/info-days/${id}?done=updated&told=1`)).text).toContain('1 person who had signed up is being told in their language.');

    // A title-only change tells nobody; fewer places than sign-ups is refused next to the field.
    const quiet = world.app.delivered.length;
    expect((await coordA.post(`/inbox/info-days/${id}`, { title: 'Coffee, questions', place: 'Mercado de Arroios', startsAt: moved, capacity: '15' })).location).toBe(`/inbox/info-days/${id}?done=updated`);
    await world.app.settle();
    expect(world.app.delivered.length).toBe(quiet);
    await signUp('dan', 'Coffee, questions');
    await coordA.get(`/inbox/info-days/${id}/edit`);
    const below = await coordA.post(`/inbox/info-days/${id}`, { title: 'Coffee, questions', place: 'Mercado de Arroios', startsAt: moved, capacity: '1' });
    expect(below.status).toBe(400);
    expect(below.text).toContain('<p class="error" id="capacity-error">2 people have already signed up: the places cannot be fewer.</p>');
  });

  it.skipIf(skip)('cancels a day: the people signed up are told in their language, and the chat no longer offers it', async () => {
    const id = await plan(coordA, { title: 'Evening to cancel', place: 'Casa do Bairro', startsAt: localEvening(20), capacity: '' });
    await signUp('eva', 'Evening to cancel', 'pt');

    const confirm = await coordA.get(`/inbox/info-days/${id}/cancel`);
    expect(confirm.text).toContain('1 person has signed up');
    expect(confirm.text).toContain('button type="submit" class="danger"');
    const before = world.app.delivered.length;
    const res = await coordA.post(`/inbox/info-days/${id}/cancel`);
    expect([res.status, res.location]).toEqual([303, '/inbox/info-days?done=cancelled&told=1']);
    await world.app.settle();
    const startsAt = fromLocalInput(localEvening(20), LISBON)!;
    expect(world.app.delivered.slice(before).filter((d) => d.address === 'eva').map((d) => d.text)).toEqual([
      world.app.ponte.translator.t('pt', 'infodays-notices:cancelled', { title: 'Evening to cancel', when: formatWhen(startsAt.toISOString(), 'pt', LISBON), place: 'Casa do Bairro' }),
    ]);
    expect(await prisma().infoDay.findUnique({ where: { id } })).toBeNull();
    expect(await prisma().auditEntry.count({ where: { action: 'infoday.cancel', subject: `infoday:${id}`, staffId: world.staffIds.coordA } })).toBe(1);
    expect((await chat(world.app, 'eva', ['menu', '#infodays'], 'pt')).at(-1)!.text).not.toContain('Evening to cancel');
    expect((await coordA.get(`/inbox/info-days/${id}`)).status).toBe(404);

    // A day that has passed stays as a record: it can be neither changed nor cancelled.
    const past = await prisma().infoDay.create({ data: { id: 'past-day', organisationId: world.orgs.a.id, title: 'Last spring', place: 'Arroios', startsAt: new Date(Date.now() - 86_400_000) } });
    expect((await coordA.get(`/inbox/info-days/${past.id}`)).text).toContain('can no longer be changed');
    expect((await coordA.post(`/inbox/info-days/${past.id}/cancel`)).status).toBe(400);
    expect((await coordA.post(`/inbox/info-days/${past.id}`, { title: 'x', place: 'y', startsAt: localEvening(3) })).status).toBe(400);
    expect(await prisma().infoDay.findUnique({ where: { id: past.id } })).not.toBeNull();
  });

  it.skipIf(skip)('keeps each organisation to its own days and sign-ups; an admin also sees and plans programme-wide days', async () => {
    const id = await plan(coordA, { title: 'Only for A', place: 'Lisboa', startsAt: localEvening(30), capacity: '' });
    const idB = await plan(coordB, { title: 'Only for B', place: 'Porto', startsAt: localEvening(31), capacity: '' });
    expect((await prisma().infoDay.findUniqueOrThrow({ where: { id: idB } })).organisationId).toBe(world.orgs.b.id);
    // A coordinator cannot give a day to another organisation: the field is ignored.
    const sneaky = await plan(coordB, { title: 'Sneaky', place: 'Porto', startsAt: localEvening(32), organisation: world.orgs.a.id });
    expect((await prisma().infoDay.findUniqueOrThrow({ where: { id: sneaky } })).organisationId).toBe(world.orgs.b.id);

    const listB = await coordB.get('/inbox/info-days');
    expect(listB.text).toContain('Only for B');
    expect(listB.text).not.toContain('Only for A');
    expect(listB.text).not.toContain('Welcome evening');
    for (const path of [`/inbox/info-days/${id}`, `/inbox/info-days/${id}/edit`, `/inbox/info-days/${id}/cancel`]) {
      expect((await coordB.get(path)).status, path).toBe(404);
    }
    expect((await coordB.post(`/inbox/info-days/${id}`, { title: 'Taken over', place: 'Porto', startsAt: localEvening(30) })).status).toBe(404);
    expect((await coordB.post(`/inbox/info-days/${id}/cancel`)).status).toBe(404);
    expect(await prisma().infoDay.findUniqueOrThrow({ where: { id } })).toMatchObject({ title: 'Only for A' });

    // B's person is not offered A's day; A's person not B's.
    const b = await chat(world.app, 'fay', [`/start ${world.orgs.b.slug}`, '1', '1', '#visitor', '#infodays']);
    expect(b.at(-1)!.text).toContain('Only for B');
    expect(b.at(-1)!.text).not.toContain('Only for A');

    // The admin: a programme-wide day, offered to everyone, seen by no coordinator in the inbox.
    const form = await admin.get('/inbox/info-days/new');
    expect(form.text).toContain('name="organisation"');
    const bad = await admin.post('/inbox/info-days', { organisation: 'no-such-org', title: 'x', place: 'y', startsAt: localEvening(5) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Choose an organisation from the list.');
    const wide = await plan(admin, { organisation: '', title: 'Programme evening', place: 'Online', startsAt: localEvening(40), capacity: '' });
    expect((await prisma().infoDay.findUniqueOrThrow({ where: { id: wide } })).organisationId).toBeNull();
    const forB = await plan(admin, { organisation: world.orgs.b.id, title: 'Given to B', place: 'Porto', startsAt: localEvening(41), capacity: '' });
    expect((await prisma().infoDay.findUniqueOrThrow({ where: { id: forB } })).organisationId).toBe(world.orgs.b.id);
    const all = await admin.get('/inbox/info-days');
    for (const title of ['Only for A', 'Only for B', 'Programme evening', 'Whole programme']) expect(all.text).toContain(title);
    expect((await coordA.get('/inbox/info-days')).text).not.toContain('Programme evening');
    expect((await coordA.get(`/inbox/info-days/${wide}`)).status).toBe(404);
    expect((await chat(world.app, 'fay', ['menu', '#infodays'])).at(-1)!.text).toContain('Programme evening');
  });

  it.skipIf(skip)('shares a deep link to the organisation and its QR code once an admin has set the bot’s username', async () => {
    expect((await coordA.get('/inbox/info-days')).text).toContain('an admin needs to set the Telegram bot');
    expect((await coordA.get('/inbox/info-days/qr.svg')).status).toBe(404);

    // Only an admin sets it, and only a bot's username.
    await coordA.get('/inbox/info-days');
    expect((await coordA.post('/inbox/info-days/share', { username: 'PonteTestBot' })).status).toBe(404);
    await admin.get('/inbox/info-days');
    const bad = await admin.post('/inbox/info-days/share', { username: 'not a bot' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<p class="error" id="telegram-username-error">');
    expect(bad.text).toContain('value="not a bot"');
    expect(await prisma().setting.findUnique({ where: { key: 'telegram:bot-username' } })).toBeNull();
    const ok = await admin.post('/inbox/info-days/share', { username: '@PonteTestBot' });
    expect([ok.status, ok.location]).toEqual([303, '/inbox/info-days?done=share_saved#share']);
    expect((await prisma().setting.findUniqueOrThrow({ where: { key: 'telegram:bot-username' } })).value).toBe('PonteTestBot');
    expect(await prisma().auditEntry.count({ where: { action: 'share.telegram_username', staffId: world.staffIds.admin } })).toBe(1);

    const link = `https://t.me/PonteTestBot?start=${world.orgs.a.slug}`;
    const list = await coordA.get('/inbox/info-days');
    expect(list.text).toContain(`<a href="${link}">${link}</a>`);
    const svg = /<svg class="qr" role="img" aria-labelledby="qr-title"[^>]*><title id="qr-title">QR code that opens ([^<]+)<\/title>[\s\S]*?<\/svg>/.exec(list.text);
    expect(svg?.[1]).toBe(link);
    const drawn = /<path stroke="#000000" d="([^"]+)"/.exec(svg![0])![1];
    expect(drawn).toBe(await qrPath(link));
    expect(drawn).not.toBe(await qrPath(`https://t.me/PonteTestBot?start=${world.orgs.b.slug}`));

    // A day's page shares its organisation's link; coordinator B's, B's.
    const day = await plan(coordA, { title: 'Shared day', place: 'Lisboa', startsAt: localEvening(8), capacity: '' });
    expect((await coordA.get(`/inbox/info-days/${day}`)).text).toContain(link);
    const listB = await coordB.get('/inbox/info-days');
    expect(listB.text).toContain(`start=${world.orgs.b.slug}`);
    expect(listB.text).not.toContain(link);

    const file = await coordA.get(`/inbox/info-days/qr.svg?org=${world.orgs.a.slug}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('image/svg+xml');
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="ponte-${world.orgs.a.slug}-qr.svg"`);
    expect(file.text).toContain(await qrPath(link));
    expect((await coordB.get(`/inbox/info-days/qr.svg?org=${world.orgs.a.slug}`)).status).toBe(404);
    expect((await admin.get('/inbox/info-days')).text).toContain(`/inbox/info-days/qr.svg?org=${world.orgs.b.slug}`);
  });
});
