import { systemEvent } from '../../core/events.js';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { programmeSteps } from '../../core/programme-step.js';
import { audit } from '../../db/audit.js';
import { closeItemsOf, handoverMessages, nameOf, replyToPerson } from '../../db/inbox.js';
import { listPeople } from '../../db/people.js';
import { personInScope } from '../../db/scope.js';
import { NetworkError, PlatformError } from '../../errors.js';
import { html, type Html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { csrfField, formatTime, notice, page, type PageContext, languageName } from './layout.js';
import { matchingSection } from './matching.js';
import { personLabel } from './queue.js';

/** WhatsApp's customer-service window: a reply after it goes as a template (the channel decides). */
const WINDOW_MS = 24 * 3600_000;

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** The registration answers a coordinator needs, without special-category data (shown apart, on request). */
function registrationList(ctx: PageContext, reg: Record<string, unknown> | null, showSpecial: boolean, personId: string): Html {
  if (!reg) return html`<p>${ctx.t('person.not_registered')}</p>`;
  const { t } = ctx;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const rows: [string, string][] = [
    [t('person.age_range'), t(`age.${String(reg.ageRange)}`)],
    [t('person.languages'), list(reg.languages).map((l) => languageName(ctx, l)).join(', ')],
    [t('person.area'), String(reg.area ?? '—')],
    [t('person.gender'), t(`gender.${String(reg.gender)}`)],
    [t('person.contact_times'), list(reg.contactTimes).map((c) => t(`time.${c}`)).join(', ')],
  ];
  if (reg.role === 'mentor') {
    rows.push([t('person.expertise'), list(reg.expertise).map((a) => t(`area.${a}`)).join(', ')]);
    rows.push([t('person.capacity'), String(reg.capacity)]);
    rows.push([t('person.training'), t(`training.${String(reg.training)}`)]);
  } else {
    rows.push([t('person.pref_gender'), t(`pref_gender.${String(reg.prefGender)}`)]);
  }
  if (reg.ageRange === 'under_18') rows.push([t('person.supervised'), t(reg.supervisedProgramme ? 'common.yes' : 'common.no')]);
  const special =
    reg.role === 'mentor' && reg.migrationBackground !== undefined
      ? showSpecial
        ? html`<dt>${t('person.migration_background')}</dt><dd>${t(`background.${String(reg.migrationBackground)}`)}</dd>`
        : html`<dt>${t('person.special_category')}</dt><dd><a href="/inbox/people/${personId}?special=1#registration">${t('person.show_special')}</a></dd>`
      : '';
  return html`<dl class="facts" id="registration">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}${special}</dl>`;
}

function messageBody(ctx: PageContext, personId: string, m: { id: number; direction: string; content: unknown }, canOpen: boolean): Html {
  const c = (m.content ?? {}) as { kind?: string; text?: string; label?: string; mediaKind?: string; mediaRef?: string; caption?: string; latitude?: number; longitude?: number };
  switch (c.kind) {
    case 'text':
      return html`<p>${c.text}</p>`;
    case 'choice':
      return html`<p>${c.label ?? ctx.t('conversation.pressed_button')}</p>`;
    case 'media':
      return html`<p>${ctx.t(`media.${c.mediaKind ?? 'other'}`)}${c.caption ? html`: ${c.caption}` : ''}
        ${canOpen && c.mediaRef && c.mediaKind !== 'reaction' ? html` <a href="/inbox/people/${personId}/media/${m.id}" target="_blank" rel="noopener">${ctx.t('conversation.open_media')}</a>` : ''}</p>`;
    case 'location':
      return html`<p>${ctx.t('media.location')}: ${c.latitude?.toFixed(5)}, ${c.longitude?.toFixed(5)}</p>`;
    default:
      return html`<p>${ctx.t('media.other')}</p>`;
  }
}

/** People: the list with filters, a person's page with the handover conversation, and its actions. */
export const peopleRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;

  app.get('/inbox/people', async (req, reply) => {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const query = z
      .object({ role: z.enum(['mentee', 'mentor', 'visitor']).optional().catch(undefined), step: z.coerce.number().int().optional().catch(undefined), q: z.string().max(100).optional().catch(undefined) })
      .parse(req.query ?? {});
    const rows = await listPeople(prisma, scope, query);
    const body = html`<form method="get" action="/inbox/people" class="filters" role="search">
        <label for="f-role">${t('people.role')}</label>
        <select id="f-role" name="role"><option value="">${t('people.any')}</option>
          ${(['mentee', 'mentor', 'visitor'] as const).map((r) => html`<option value="${r}"${query.role === r ? html` selected` : ''}>${t(`role.${r}`)}</option>`)}</select>
        <label for="f-step">${t('people.step')}</label>
        <select id="f-step" name="step"><option value="">${t('people.any')}</option>
          ${programmeSteps.map((s) => html`<option value="${s}"${query.step === s ? html` selected` : ''}>${t(`step.${s}`)}</option>`)}</select>
        <label for="f-q">${t('people.search')}</label>
        <input id="f-q" name="q" type="search" value="${query.q ?? ''}">
        <button type="submit">${t('people.filter')}</button>
      </form>
      <p class="lead">${t('people.count', { count: rows.length })}</p>
      <table class="list"><thead><tr><th scope="col">${t('people.name')}</th><th scope="col">${t('people.role')}</th><th scope="col">${t('people.step')}</th><th scope="col">${t('people.language')}</th><th scope="col">${t('people.channel')}</th><th scope="col">${t('people.since')}</th></tr></thead>
      <tbody>${rows.map(
        (r) => html`<tr><td><a href="/inbox/people/${r.id}">${personLabel(ctx, r)}</a>${r.mode === 'handover' ? html` <span class="badge">${t('kind.handover')}</span>` : ''}</td>
          <td>${r.role ? t(`role.${r.role}`) : '—'}</td><td>${t(`step.${r.step}`)}</td><td>${languageName(ctx, r.locale)}</td><td>${t(`channel.${r.channel}`)}</td><td>${formatTime(ctx, r.createdAt)}</td></tr>`,
      )}</tbody></table>`;
    return sendPage(reply, page(ctx, t('people.title'), body));
  });

  app.get('/inbox/people/:id', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    const showSpecial = (req.query as { special?: string }).special === '1';
    const person = await personInScope(prisma, scope, id);
    const [conversation, messages, items] = await Promise.all([
      prisma.conversation.findUnique({ where: { personId: id } }),
      handoverMessages(prisma, id),
      prisma.inboxItem.findMany({ where: { personId: id, status: 'open' }, orderBy: { createdAt: 'desc' } }),
    ]);
    if (showSpecial) await audit(prisma, scope, { kind: 'view', action: 'person.view_special', subject: `person:${id}` });
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const reg = (person.registration ?? null) as Record<string, unknown> | null;
    const mode = conversation?.mode ?? 'bot';
    const windowClosed = person.channel === 'whatsapp' && (!person.lastInboundAt || Date.now() - person.lastInboundAt.getTime() > WINDOW_MS);
    const closable = items.filter((i) => i.kind === 'crisis' || i.kind === 'unreachable');
    const body = html`${notice(ctx, (req.query as { done?: string }).done)}
      <section aria-labelledby="about"><h2 id="about">${t('person.about')}</h2>
        <dl class="facts">
          <dt>${t('people.role')}</dt><dd>${person.role ? t(`role.${person.role}`) : '—'}</dd>
          <dt>${t('people.language')}</dt><dd>${languageName(ctx, person.locale)}</dd>
          <dt>${t('people.channel')}</dt><dd>${t(`channel.${person.channel}`)}${person.unreachableAt ? html` <span class="badge overdue">${t('person.unreachable')}</span>` : ''}</dd>
          <dt>${t('person.conversation_step')}</dt><dd>${conversation ? (deps.ui.has(ctx.locale, `flow.${conversation.flowId}`) ? t(`flow.${conversation.flowId}`) : conversation.flowId) : '—'} (${t(`mode.${mode}`)})</dd>
          <dt>${t('people.since')}</dt><dd>${formatTime(ctx, person.createdAt)}</dd>
        </dl>
        ${registrationList(ctx, reg, showSpecial, id)}
      </section>
      ${items.length > 0 ? html`<section aria-labelledby="items"><h2 id="items">${t('person.open_items')}</h2>
        <ul>${items.map((i) => html`<li>${t(`kind.${i.kind}`)} · ${formatTime(ctx, i.createdAt)}${i.urgent ? html` <span class="badge urgent">${t('badge.urgent')}</span>` : ''}</li>`)}</ul>
        ${closable.length > 0 ? html`<form method="post" action="/inbox/people/${id}/close">${csrfField(ctx)}<button>${t('person.mark_followed_up')}</button></form>` : ''}
      </section>` : ''}
      <section aria-labelledby="conv" data-live-part><h2 id="conv">${t('conversation.title')}</h2>
        ${messages.length === 0 ? html`<p>${t('conversation.empty')}</p>` : html`<ol class="messages">${messages.map(
          (m) => html`<li class="msg ${m.direction}"><span class="who">${m.direction === 'in' ? personLabel(ctx, { name: nameOf(reg), channel: person.channel }) : t('conversation.coordinator')} · ${formatTime(ctx, Number(m.createdAt))}</span>${messageBody(ctx, id, m, deps.media.has(person.channel))}</li>`,
        )}</ol>`}
        ${mode === 'handover' ? html`<p class="status">${t('conversation.bot_quiet')}</p>` : ''}
        <form method="post" action="/inbox/people/${id}/reply" class="reply">
          ${csrfField(ctx)}
          <label for="reply-text">${t('conversation.reply_label', { language: languageName(ctx, person.locale) })}</label>
          <textarea id="reply-text" name="text" rows="3" maxlength="4000" required${windowClosed ? html` aria-describedby="window-note"` : ''}></textarea>
          ${windowClosed ? html`<p class="hint" id="window-note">${t('conversation.window_closed')}</p>` : ''}
          <button type="submit">${t('conversation.send')}</button>
        </form>
        ${mode === 'handover' ? html`<form method="post" action="/inbox/people/${id}/handback">${csrfField(ctx)}<button class="secondary">${t('conversation.hand_back')}</button></form>` : ''}
      </section>
      ${await matchingSection(ctx, deps, scope, person)}`;
    return sendPage(reply, page(ctx, personLabel(ctx, { name: nameOf(reg), channel: person.channel }), body, { live: `person:${id}` }));
  });

  app.post('/inbox/people/:id/reply', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    const body = z.object({ text: z.string().trim().min(1, 'the reply is empty').max(4000, 'the reply is longer than 4000 characters') }).safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'BAD_REQUEST', message: body.error.issues[0]!.message });
    await deps.committer.run((tx) => replyToPerson(tx, scope, id, body.data.text, Date.now(), deps.config.defaultLocale));
    deps.onOutbound();
    deps.live.nudge();
    return reply.redirect(`/inbox/people/${id}?done=replied#conv`, 303);
  });

  app.post('/inbox/people/:id/handback', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    const person = await personInScope(prisma, scope, id);
    await audit(prisma, scope, { kind: 'change', action: 'handover.hand_back', subject: `person:${id}` });
    // Through the person's own queue, so it lands after anything they sent meanwhile.
    await deps.ingest([systemEvent(person, { name: 'handback' })]);
    deps.live.nudge();
    return reply.redirect(`/inbox/people/${id}?done=handed_back`, 303);
  });

  app.post('/inbox/people/:id/close', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    await closeItemsOf(prisma, scope, id, ['crisis', 'unreachable'], new Date());
    deps.live.nudge();
    return reply.redirect(`/inbox/people/${id}?done=followed_up`, 303);
  });

  app.get('/inbox/people/:id/media/:messageId', async (req, reply) => {
    const scope = staffOf(req);
    const { id, messageId } = z.object({ id: z.string().max(64), messageId: z.coerce.number().int() }).parse(req.params);
    const person = await personInScope(prisma, scope, id);
    const message = await prisma.handoverMessage.findFirst({ where: { id: messageId, personId: id } });
    const content = message?.content as { kind?: string; mediaRef?: string } | undefined;
    const fetcher = deps.media.get(person.channel);
    if (!content?.mediaRef || !fetcher) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no file for this message' });
    try {
      const file = await fetcher.fetch(content.mediaRef);
      await audit(prisma, scope, { kind: 'view', action: 'person.view_media', subject: `person:${id}` });
      // Shown, never run: a file a person sent is served with its type pinned and no sniffing.
      return reply.type(file.mimeType).header('content-disposition', 'inline').header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox").send(file.data);
    } catch (err) {
      if (err instanceof PlatformError) return reply.code(404).send({ error: 'NOT_FOUND', message: 'the platform no longer has this file' });
      if (err instanceof NetworkError) return reply.code(502).send({ error: 'BAD_GATEWAY', message: 'the platform did not answer; try again' });
      throw err;
    }
  });
};
