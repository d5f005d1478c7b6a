import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  addInfoDay,
  cancelInfoDay,
  infoDayInScope,
  InfoDayRefused,
  infoDaySignups,
  listInfoDays,
  setTelegramBotUsername,
  telegramBotUsername,
  updateInfoDay,
  type InfoDayInput,
  type InfoDayRow,
} from '../../db/info-days.js';
import { inScope, NotFound, type Scope } from '../../db/scope.js';
import { escapeHtml, html, trusted, type Html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { csrfField, formatTime, page, type PageContext, languageName } from './layout.js';
import { personLabel } from './queue.js';

/*
 * Info days (step 1 of the M4M model): coordinators plan them here, the bot offers them in chat,
 * takes sign-ups and reminds people the day before. A coordinator sees their organisation's days;
 * an admin also the programme-wide ones.
 */

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** `2026-12-12T18:00` in a time zone, for a datetime-local field. */
export function toLocalInput(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * The instant a wall-clock time in a time zone names (`2026-12-12T18:00` in Europe/Lisbon), or
 * undefined for something that is not one. A time skipped when clocks go forward reads as the
 * hour after; one that happens twice when they go back, as the second.
 */
export function fromLocalInput(value: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  // The zone's offset at a moment: what its clock shows minus UTC.
  const offset = (at: number) => Date.parse(`${toLocalInput(new Date(at), timeZone)}:00Z`) - Math.floor(at / 60_000) * 60_000;
  let at = wall - offset(wall);
  at = wall - offset(at);
  return new Date(at);
}

/** The time zone an info day's time is set and shown in: its organisation's, or the programme's. */
function zoneOf(deps: InboxDeps, day: { organisation: { timezone: string } | null }): string {
  return day.organisation?.timezone ?? deps.config.programmeTimezone;
}

/** A notice after an action, from this section's own words (`infodays:done.<key>`). */
function doneNotice(ctx: PageContext, query: unknown): Html {
  const q = z.object({ done: z.enum(['created', 'updated', 'cancelled', 'share_saved']).optional().catch(undefined), told: z.coerce.number().int().min(0).optional().catch(undefined) }).parse(query ?? {});
  if (!q.done) return html``;
  const told = q.told ? ` ${ctx.t('infodays:done.told', { count: q.told })}` : '';
  return html`<p class="notice" role="status">${ctx.t(`infodays:done.${q.done}`)}${told}</p>`;
}

// --- Sharing: the deep link that brings a person to the bot attached to an organisation ---------

/** A Telegram username: 5–32 of a–z, 0–9 and _, starting with a letter; a bot's ends in "bot". */
const TelegramUsername = z
  .string()
  .trim()
  .transform((v) => v.replace(/^@/, '').replace(/^https:\/\/t\.me\//, ''))
  .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$/, 'username'));

/**
 * The deep link for an organisation: its slug is the `/start` payload, and the bot attaches the
 * person to the organisation once they agree to the privacy notice. Without an organisation (a
 * programme-wide day) the link opens the bot with no payload.
 */
export function telegramLink(username: string, slug: string | undefined): string {
  return `https://t.me/${username}${slug ? `?start=${slug}` : ''}`;
}

/** The QR code of a text as the `qrcode` package draws it (medium error correction, a 2-module margin). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The QR code as an image in the page, named for screen readers by what it opens. */
async function qrImage(ctx: PageContext, link: string, id: string): Promise<Html> {
  const svg = await qrSvg(link);
  const label = escapeHtml(ctx.t('infodays:share.qr_label', { link }));
  return trusted(svg.replace('<svg ', `<svg class="qr" role="img" aria-labelledby="${id}" `).replace(/(<svg[^>]*>)/, `$1<title id="${id}">${label}</title>`));
}

async function shareSection(ctx: PageContext, username: string | undefined, org: { slug: string; name: string } | null): Promise<Html> {
  const { t } = ctx;
  const heading = html`<h2 id="share">${t('infodays:share.title')}</h2>`;
  if (!username) {
    return html`<section aria-labelledby="share">${heading}<p>${t(ctx.staff?.role === 'admin' ? 'infodays:share.no_username_admin' : 'infodays:share.no_username')}</p></section>`;
  }
  const link = telegramLink(username, org?.slug);
  const download = `/inbox/info-days/qr.svg${org ? `?org=${encodeURIComponent(org.slug)}` : ''}`;
  return html`<section aria-labelledby="share">${heading}
    <p>${org ? t('infodays:share.lead_org', { organisation: org.name }) : t('infodays:share.lead_programme')}</p>
    <dl class="facts"><dt>${t('infodays:share.telegram')}</dt><dd><a href="${link}">${link}</a></dd></dl>
    ${await qrImage(ctx, link, 'qr-title')}
    <p><a href="${download}" download>${t('infodays:share.download_qr')}</a></p>
    <p class="hint">${t('infodays:share.how')}</p>
  </section>`;
}

/** The admin's setting of the bot's username, which the links need; after a refusal, what was typed and why. */
function usernameForm(ctx: PageContext, username: string | undefined, refused?: string): Html {
  const error = refused !== undefined;
  const { t } = ctx;
  return html`<form method="post" action="/inbox/info-days/share" class="card narrow">
    ${csrfField(ctx)}
    <label for="telegram-username">${t('infodays:share.username_label')}</label>
    <input id="telegram-username" name="username" type="text" value="${refused ?? username ?? ''}" maxlength="64" autocomplete="off" aria-describedby="telegram-username-hint${error ? ' telegram-username-error' : ''}"${error ? html` aria-invalid="true"` : ''}>
    <p class="hint" id="telegram-username-hint">${t('infodays:share.username_hint')}</p>
    ${error ? html`<p class="error" id="telegram-username-error">${t('infodays:share.username_invalid')}</p>` : ''}
    <button type="submit">${t('infodays:share.username_save')}</button>
  </form>`;
}

// --- The form ----------------------------------------------------------------------------------

type Field = 'organisation' | 'title' | 'place' | 'startsAt' | 'capacity';
type Errors = Partial<Record<Field, string>>;

interface FormValues {
  organisation: string;
  title: string;
  place: string;
  startsAt: string;
  capacity: string;
}

/** The form's fields as sent; their lengths and meaning are checked in `readForm`, each with its own message. */
const FormBody = z.object({
  organisation: z.string().optional(),
  title: z.string().default(''),
  place: z.string().default(''),
  startsAt: z.string().default(''),
  capacity: z.string().default(''),
});

/** Checks the form; the errors are keys of `infodays:error.*`, one per field. */
function readForm(body: unknown, timeZoneOf: (organisation: string) => string | undefined, now: Date): { values: FormValues; day?: InfoDayInput; errors: Errors } {
  const parsed = FormBody.safeParse(body ?? {});
  const raw = parsed.success ? parsed.data : { organisation: '', title: '', place: '', startsAt: '', capacity: '' };
  const values: FormValues = { organisation: raw.organisation ?? '', title: raw.title.trim(), place: raw.place.trim(), startsAt: raw.startsAt.trim(), capacity: raw.capacity.trim() };
  const errors: Errors = {};
  if (!values.title) errors.title = 'title_missing';
  else if (values.title.length > 120) errors.title = 'title_long';
  if (!values.place) errors.place = 'place_missing';
  else if (values.place.length > 200) errors.place = 'place_long';
  const zone = timeZoneOf(values.organisation);
  if (zone === undefined) errors.organisation = 'organisation_unknown';
  const startsAt = zone === undefined ? undefined : fromLocalInput(values.startsAt, zone);
  if (!values.startsAt) errors.startsAt = 'when_missing';
  else if (zone !== undefined && !startsAt) errors.startsAt = 'when_invalid';
  else if (startsAt && startsAt <= now) errors.startsAt = 'when_past';
  let capacity: number | null = null;
  if (values.capacity) {
    const n = Number(values.capacity);
    if (!/^\d+$/.test(values.capacity) || n < 1 || n > 10_000) errors.capacity = 'capacity_invalid';
    else capacity = n;
  }
  const ok = Object.keys(errors).length === 0 && startsAt !== undefined;
  return { values, errors, ...(ok ? { day: { title: values.title, place: values.place, startsAt, capacity } } : {}) };
}

interface FormSetup {
  action: string;
  submit: string;
  /** For an admin creating a day: the organisations to choose from (with their time zones). */
  organisations?: { id: string; name: string; timezone: string }[];
  /** The time zone the time is read in, when fixed (a coordinator, or an existing day). */
  timeZone?: string;
  /** Who is signed up, when editing: changing the time or the place tells them. */
  signedUp?: number;
}

function field(ctx: PageContext, name: Field, label: string, errors: Errors, control: (describedBy: string, invalid: Html) => Html, hint?: string, vars: Record<string, number> = {}): Html {
  const error = errors[name];
  const ids = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  return html`<label for="f-${name}">${label}</label>
    ${control(ids, error ? html` aria-invalid="true"` : html``)}
    ${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ''}
    ${error ? html`<p class="error" id="${name}-error">${ctx.t(`infodays:error.${error}`, vars)}</p>` : ''}`;
}

function infoDayForm(ctx: PageContext, setup: FormSetup, values: FormValues, errors: Errors, zoneHint: string, signedUpForCapacity = 0): Html {
  const { t } = ctx;
  const describe = (ids: string) => (ids ? html` aria-describedby="${ids}"` : html``);
  const count = Object.keys(errors).length;
  return html`<form method="post" action="${setup.action}" class="card" novalidate>
    ${csrfField(ctx)}
    ${count > 0 ? html`<p class="error" role="alert">${t('infodays:error.summary', { count })}</p>` : ''}
    ${setup.organisations
      ? field(ctx, 'organisation', t('infodays:form.organisation'), errors, (ids, invalid) => html`<select id="f-organisation" name="organisation"${describe(ids)}${invalid}>
          <option value="">${t('infodays:form.programme_wide', { timezone: zoneHint })}</option>
          ${setup.organisations!.map((o) => html`<option value="${o.id}"${values.organisation === o.id ? html` selected` : ''}>${o.name} (${o.timezone})</option>`)}
        </select>`, t('infodays:form.organisation_hint'))
      : ''}
    ${field(ctx, 'title', t('infodays:form.title'), errors, (ids, invalid) => html`<input id="f-title" name="title" type="text" maxlength="120" required value="${values.title}"${describe(ids)}${invalid}>`, t('infodays:form.title_hint'))}
    ${field(ctx, 'place', t('infodays:form.place'), errors, (ids, invalid) => html`<input id="f-place" name="place" type="text" maxlength="200" required value="${values.place}"${describe(ids)}${invalid}>`, t('infodays:form.place_hint'))}
    ${field(ctx, 'startsAt', t('infodays:form.when'), errors, (ids, invalid) => html`<input id="f-startsAt" name="startsAt" type="datetime-local" required value="${values.startsAt}"${describe(ids)}${invalid}>`,
      setup.timeZone ? t('infodays:form.when_hint', { timezone: setup.timeZone }) : t('infodays:form.when_hint_org'))}
    ${field(ctx, 'capacity', t('infodays:form.capacity'), errors, (ids, invalid) => html`<input id="f-capacity" name="capacity" type="number" min="1" max="10000" step="1" inputmode="numeric" value="${values.capacity}"${describe(ids)}${invalid}>`,
      signedUpForCapacity > 0 ? t('infodays:form.capacity_hint_signed', { count: signedUpForCapacity }) : t('infodays:form.capacity_hint'), { count: signedUpForCapacity })}
    ${setup.signedUp ? html`<p class="hint">${t('infodays:form.tell_signed_up', { count: setup.signedUp })}</p>` : ''}
    <button type="submit">${setup.submit}</button>
  </form>`;
}

// --- Pages ---------------------------------------------------------------------------------------

function dayTable(ctx: PageContext, deps: InboxDeps, days: InfoDayRow[], admin: boolean, caption: string): Html {
  const { t } = ctx;
  if (days.length === 0) return html`<p>${t('infodays:list.none')}</p>`;
  return html`<table class="list"><caption class="hint">${caption}</caption><thead><tr>
      <th scope="col">${t('infodays:list.title')}</th><th scope="col">${t('infodays:list.when')}</th><th scope="col">${t('infodays:list.place')}</th>
      ${admin ? html`<th scope="col">${t('infodays:list.organisation')}</th>` : ''}<th scope="col">${t('infodays:list.signed_up')}</th></tr></thead>
    <tbody>${days.map(
      (d) => html`<tr><th scope="row"><a href="/inbox/info-days/${d.id}">${d.title}</a></th><td>${formatTime(ctx, d.startsAt, zoneOf(deps, d))}</td><td>${d.place}</td>
        ${admin ? html`<td>${d.organisation?.name ?? t('infodays:programme_wide')}</td>` : ''}
        <td>${d.capacity === null ? String(d.signedUp) : t('infodays:list.of_capacity', { signed: d.signedUp, capacity: d.capacity })}${
          d.capacity !== null && d.signedUp >= d.capacity ? html` <span class="badge">${t('infodays:full')}</span>` : ''
        }</td></tr>`,
    )}</tbody></table>`;
}

/** Info days: the list, a day with its sign-ups and share link, creating, editing and cancelling. */
export const infoDayRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;

  /** The organisations an admin may give a day to; a coordinator's is fixed. */
  const organisations = () => prisma.organisation.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, slug: true, timezone: true } });

  async function ownOrganisation(scope: Scope) {
    return scope.organisationId ? prisma.organisation.findUnique({ where: { id: scope.organisationId }, select: { id: true, name: true, slug: true, timezone: true } }) : null;
  }

  async function listPage(req: FastifyRequest, reply: FastifyReply, refusedUsername?: string) {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const admin = scope.role === 'admin';
    const [{ upcoming, past }, username, own] = await Promise.all([listInfoDays(prisma, scope, new Date()), telegramBotUsername(prisma), ownOrganisation(scope)]);
    const shareOrgs = admin ? await organisations() : own ? [own] : [];
    const sharing = admin
      ? html`<section aria-labelledby="share"><h2 id="share">${t('infodays:share.title')}</h2>
          <p>${t('infodays:share.lead_admin')}</p>
          ${usernameForm(ctx, username, refusedUsername)}
          ${username && shareOrgs.length > 0 ? html`<table class="list"><caption class="hint">${t('infodays:share.links_caption')}</caption><thead><tr><th scope="col">${t('infodays:list.organisation')}</th><th scope="col">${t('infodays:share.telegram')}</th><th scope="col">${t('infodays:share.qr')}</th></tr></thead>
            <tbody>${shareOrgs.map((o) => {
              const link = telegramLink(username, o.slug);
              return html`<tr><th scope="row">${o.name}</th><td><a href="${link}">${link}</a></td><td><a href="/inbox/info-days/qr.svg?org=${encodeURIComponent(o.slug)}" download>${t('infodays:share.download_qr')}</a></td></tr>`;
            })}</tbody></table>` : ''}
        </section>`
      : await shareSection(ctx, username, own);
    const body = html`${doneNotice(ctx, req.query)}
      <p><a href="/inbox/info-days/new">${t('infodays:new')}</a></p>
      <section aria-labelledby="upcoming"><h2 id="upcoming">${t('infodays:list.upcoming')}</h2>${dayTable(ctx, deps, upcoming, admin, t('infodays:list.upcoming_caption'))}</section>
      <section aria-labelledby="past"><h2 id="past">${t('infodays:list.past')}</h2>${dayTable(ctx, deps, past, admin, t('infodays:list.past_caption'))}</section>
      ${sharing}`;
    return sendPage(reply, page(ctx, t('infodays:title'), body), refusedUsername === undefined ? 200 : 400);
  }

  app.get('/inbox/info-days', (req, reply) => listPage(req, reply));

  app.post('/inbox/info-days/share', async (req, reply) => {
    const scope = staffOf(req);
    if (scope.role !== 'admin') throw new NotFound('setting');
    const raw = z.object({ username: z.string().max(100).default('') }).safeParse(req.body ?? {});
    if (!raw.success) return reply.code(400).send({ error: 'BAD_REQUEST', message: 'username must be text of at most 100 characters' });
    const value = raw.data.username.trim();
    const parsed = value === '' ? null : TelegramUsername.safeParse(value);
    if (parsed && !parsed.success) return listPage(req, reply, value);
    await deps.committer.run((tx) => setTelegramBotUsername(tx, scope, parsed ? parsed.data : null));
    deps.live.nudge();
    return reply.redirect('/inbox/info-days?done=share_saved#share', 303);
  });

  app.get('/inbox/info-days/qr.svg', async (req, reply) => {
    const scope = staffOf(req);
    const query = z.object({ org: z.string().max(64).optional() }).safeParse(req.query ?? {});
    if (!query.success) return reply.code(400).send({ error: 'BAD_REQUEST', message: 'org must be an organisation slug' });
    const username = await telegramBotUsername(prisma);
    if (!username) return reply.code(404).send({ error: 'NOT_FOUND', message: "set the Telegram bot's username on the info days page first" });
    let slug: string | undefined;
    if (query.data.org !== undefined) {
      const org = await prisma.organisation.findFirst({ where: { slug: query.data.org, ...(scope.role === 'admin' ? {} : { id: inScope(scope).organisationId }) } });
      if (!org) throw new NotFound('organisation');
      slug = org.slug;
    }
    const svg = await qrSvg(telegramLink(username, slug));
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="ponte-${slug ?? 'programme'}-qr.svg"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(svg);
  });

  async function newPage(req: FastifyRequest, reply: FastifyReply, values: FormValues, errors: Errors) {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const own = await ownOrganisation(scope);
    const orgs = scope.role === 'admin' ? await organisations() : undefined;
    const form = infoDayForm(
      ctx,
      { action: '/inbox/info-days', submit: ctx.t('infodays:form.create'), ...(orgs ? { organisations: orgs } : { timeZone: own?.timezone ?? deps.config.programmeTimezone }) },
      values,
      errors,
      deps.config.programmeTimezone,
    );
    return sendPage(reply, page(ctx, ctx.t('infodays:new_title'), html`<p><a href="/inbox/info-days">${ctx.t('infodays:back')}</a></p>${form}`), Object.keys(errors).length > 0 ? 400 : 200);
  }

  app.get('/inbox/info-days/new', (req, reply) => newPage(req, reply, { organisation: '', title: '', place: '', startsAt: '', capacity: '' }, {}));

  app.post('/inbox/info-days', async (req, reply) => {
    const scope = staffOf(req);
    const own = await ownOrganisation(scope);
    const orgs = scope.role === 'admin' ? await organisations() : [];
    const zone = (organisation: string): string | undefined => {
      if (scope.role !== 'admin') return own?.timezone ?? deps.config.programmeTimezone;
      if (organisation === '') return deps.config.programmeTimezone;
      return orgs.find((o) => o.id === organisation)?.timezone;
    };
    const { values, day, errors } = readForm(req.body, zone, new Date());
    if (!day) return newPage(req, reply, values, errors);
    const id = await deps.committer.run((tx) => addInfoDay(tx, scope, values.organisation || null, day));
    deps.live.nudge();
    return reply.redirect(`/inbox/info-days/${id}?done=created`, 303);
  });

  app.get('/inbox/info-days/:id', async (req, reply) => {
    const scope = staffOf(req);
    const params = IdParams.safeParse(req.params);
    if (!params.success) throw new NotFound('info day');
    const { id } = params.data;
    const [day, signups, username] = await Promise.all([infoDayInScope(prisma, scope, id), infoDaySignups(prisma, scope, id), telegramBotUsername(prisma)]);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const zone = zoneOf(deps, day);
    const upcoming = day.startsAt > new Date();
    const body = html`${doneNotice(ctx, req.query)}
      <p><a href="/inbox/info-days">${t('infodays:back')}</a></p>
      <section aria-labelledby="about"><h2 id="about">${t('infodays:detail.about')}</h2>
        <dl class="facts">
          <dt>${t('infodays:list.when')}</dt><dd>${formatTime(ctx, day.startsAt, zone)} (${zone})${upcoming ? '' : html` <span class="badge">${t('infodays:past_badge')}</span>`}</dd>
          <dt>${t('infodays:list.place')}</dt><dd>${day.place}</dd>
          <dt>${t('infodays:list.organisation')}</dt><dd>${day.organisation?.name ?? t('infodays:programme_wide')}</dd>
          <dt>${t('infodays:form.capacity')}</dt><dd>${day.capacity === null ? t('infodays:detail.no_limit') : String(day.capacity)}</dd>
          <dt>${t('infodays:list.signed_up')}</dt><dd>${String(day.signedUp)}${day.cancelled > 0 ? ` · ${t('infodays:detail.cancelled_count', { count: day.cancelled })}` : ''}</dd>
        </dl>
        ${upcoming
          ? html`<p><a href="/inbox/info-days/${id}/edit">${t('infodays:detail.edit')}</a> · <a href="/inbox/info-days/${id}/cancel">${t('infodays:detail.cancel')}</a></p>`
          : html`<p class="hint">${t('infodays:detail.past_readonly')}</p>`}
      </section>
      <section aria-labelledby="signups"><h2 id="signups">${t('infodays:signups.title')}</h2>
        ${signups.length === 0
          ? html`<p>${t('infodays:signups.none')}</p>`
          : html`<table class="list"><caption class="hint">${t('infodays:signups.caption', { count: day.signedUp })}</caption><thead><tr>
              <th scope="col">${t('infodays:signups.name')}</th><th scope="col">${t('infodays:signups.language')}</th><th scope="col">${t('infodays:signups.channel')}</th>
              <th scope="col">${t('infodays:signups.signed_up_at')}</th><th scope="col">${t('infodays:signups.status')}</th></tr></thead>
            <tbody>${signups.map(
              (s) => html`<tr><th scope="row"><a href="/inbox/people/${s.personId}">${personLabel(ctx, s)}</a></th><td>${languageName(ctx, s.locale)}</td>
                <td>${t(`channel.${s.channel}`)}</td><td>${formatTime(ctx, s.signedUpAt, zone)}</td>
                <td>${s.cancelledAt ? t('infodays:signups.cancelled_at', { at: formatTime(ctx, s.cancelledAt, zone) }) : t('infodays:signups.signed_up')}</td></tr>`,
            )}</tbody></table>`}
      </section>
      ${await shareSection(ctx, username, day.organisation)}`;
    return sendPage(reply, page(ctx, day.title, body));
  });

  async function editPage(req: FastifyRequest, reply: FastifyReply, day: InfoDayRow, values: FormValues, errors: Errors) {
    const ctx = pageContext(req, reply, deps);
    const zone = zoneOf(deps, day);
    const form = infoDayForm(
      ctx,
      { action: `/inbox/info-days/${day.id}`, submit: ctx.t('infodays:form.save'), timeZone: zone, signedUp: day.signedUp },
      values,
      errors,
      zone,
      day.signedUp,
    );
    return sendPage(
      reply,
      page(ctx, ctx.t('infodays:edit_title', { title: day.title }), html`<p><a href="/inbox/info-days/${day.id}">${ctx.t('infodays:back_to_day')}</a></p>${form}`),
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  }

  /** An upcoming day in scope: a past one is a record and no longer changes (400). */
  async function upcomingDay(req: FastifyRequest, reply: FastifyReply): Promise<InfoDayRow | undefined> {
    const params = IdParams.safeParse(req.params);
    if (!params.success) throw new NotFound('info day');
    const day = await infoDayInScope(prisma, staffOf(req), params.data.id);
    if (day.startsAt <= new Date()) {
      await reply.code(400).send({ error: 'INFO_DAY_PASSED', message: 'this info day has already taken place and can no longer be changed' });
      return undefined;
    }
    return day;
  }

  app.get('/inbox/info-days/:id/edit', async (req, reply) => {
    const day = await upcomingDay(req, reply);
    if (!day) return reply;
    const values = { organisation: day.organisationId ?? '', title: day.title, place: day.place, startsAt: toLocalInput(day.startsAt, zoneOf(deps, day)), capacity: day.capacity === null ? '' : String(day.capacity) };
    return editPage(req, reply, day, values, {});
  });

  app.post('/inbox/info-days/:id', async (req, reply) => {
    const scope = staffOf(req);
    const day = await upcomingDay(req, reply);
    if (!day) return reply;
    const zone = zoneOf(deps, day);
    const { values, day: input, errors } = readForm(req.body, () => zone, new Date());
    if (input && input.capacity !== null && input.capacity < day.signedUp) errors.capacity = 'capacity_below';
    if (!input || errors.capacity) return editPage(req, reply, day, values, errors);
    try {
      const told = await deps.committer.run((tx) => updateInfoDay(tx, scope, deps.translator, day.id, input, deps.config.programmeTimezone, new Date()));
      if (told > 0) deps.onOutbound();
      deps.live.nudge();
      return reply.redirect(`/inbox/info-days/${day.id}?done=updated${told > 0 ? `&told=${told}` : ''}`, 303);
    } catch (err) {
      // Someone signed up meanwhile, or the day began: the form again with why.
      if (err instanceof InfoDayRefused) return editPage(req, reply, await infoDayInScope(prisma, scope, day.id), values, { [err.field]: err.field === 'capacity' ? 'capacity_below' : 'when_past' });
      throw err;
    }
  });

  app.get('/inbox/info-days/:id/cancel', async (req, reply) => {
    const day = await upcomingDay(req, reply);
    if (!day) return reply;
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const zone = zoneOf(deps, day);
    // What people will read, in the staff member's language (the bot speaks it too).
    const preview = deps.translator.t(ctx.locale, 'infodays-notices:cancelled', { title: day.title, when: formatTime(ctx, day.startsAt, zone), place: day.place });
    const body = html`<p><a href="/inbox/info-days/${day.id}">${t('infodays:back_to_day')}</a></p>
      <form method="post" action="/inbox/info-days/${day.id}/cancel" class="card">
        ${csrfField(ctx)}
        <p>${t('infodays:cancel.lead', { title: day.title, when: formatTime(ctx, day.startsAt, zone) })}</p>
        <p>${day.signedUp > 0 ? t('infodays:cancel.will_tell', { count: day.signedUp }) : t('infodays:cancel.nobody')}</p>
        ${day.signedUp > 0 ? html`<blockquote><p>${preview}</p></blockquote>` : ''}
        <button type="submit" class="danger">${t('infodays:cancel.confirm')}</button>
      </form>`;
    return sendPage(reply, page(ctx, t('infodays:cancel.title', { title: day.title }), body));
  });

  app.post('/inbox/info-days/:id/cancel', async (req, reply) => {
    const scope = staffOf(req);
    const day = await upcomingDay(req, reply);
    if (!day) return reply;
    const told = await deps.committer.run((tx) => cancelInfoDay(tx, scope, deps.translator, day.id, deps.config.programmeTimezone, new Date()));
    if (told > 0) deps.onOutbound();
    deps.live.nudge();
    return reply.redirect(`/inbox/info-days?done=cancelled${told > 0 ? `&told=${told}` : ''}`, 303);
  });
};
