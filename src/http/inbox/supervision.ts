import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { localToInstant } from '../../core/time.js';
import { nameOf } from '../../db/inbox.js';
import { offerSupervisionSlot, supervisionSlots, withdrawSupervisionSlot } from '../../db/supervision.js';
import { html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { csrfField, formatTime, page } from './layout.js';

const Slot = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the date must look like 2027-01-31'),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'the time must look like 18:30'),
  minutes: z.coerce.number().int().min(15, 'at least 15 minutes').max(120, 'at most 2 hours'),
  place: z.string().trim().min(2, 'say where, or how to join').max(200),
  organisationId: z.string().max(64).optional(),
});

/**
 * Supervision (M4M step 9): the times a coordinator offers for mentors' monthly check-ins. Mentors
 * of active pairs are offered the free ones in chat once a month and book one there.
 */
export const supervisionRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;

  app.get('/inbox/supervision', async (req, reply) => {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const slots = await supervisionSlots(prisma, scope, new Date());
    const orgs = scope.role === 'admin' ? await prisma.organisation.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }) : [];
    const body = html`<p class="lead">${t('supervision.lead')}</p>
      <table class="list"><thead><tr><th scope="col">${t('supervision.when')}</th><th scope="col">${t('supervision.place')}</th><th scope="col">${t('supervision.mentor')}</th><th scope="col">${t('supervision.actions')}</th></tr></thead>
      <tbody>${slots.length === 0
        ? html`<tr><td colspan="4">${t('supervision.none')}</td></tr>`
        : slots.map(
            (s) => html`<tr><td>${formatTime(ctx, s.startsAt)} · ${s.minutes} min</td><td>${s.place}</td>
              <td>${s.mentor ? html`<a href="/inbox/people/${s.mentor.id}">${nameOf(s.mentor.registration) ?? t('people.unnamed', { channel: t(`channel.${s.mentor.channel}`) })}</a>` : t('supervision.free')}</td>
              <td>${s.mentor ? '' : html`<form method="post" action="/inbox/supervision/${s.id}/withdraw">${csrfField(ctx)}<button class="secondary">${t('supervision.withdraw')}</button></form>`}</td></tr>`,
          )}</tbody></table>
      <form method="post" action="/inbox/supervision" class="card">
        <h2>${t('supervision.offer')}</h2>
        ${csrfField(ctx)}
        ${scope.role === 'admin' ? html`<label for="s-org">${t('supervision.organisation')}</label><select id="s-org" name="organisationId" required>${orgs.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select>` : ''}
        <label for="s-date">${t('meeting.date')}</label><input id="s-date" name="date" type="date" required>
        <label for="s-time">${t('supervision.time')}</label><input id="s-time" name="time" type="time" required>
        <label for="s-minutes">${t('meeting.minutes')}</label><input id="s-minutes" name="minutes" type="number" min="15" max="120" value="30" required>
        <label for="s-place">${t('supervision.place_or_link')}</label><input id="s-place" name="place" type="text" maxlength="200" required>
        <button type="submit">${t('supervision.submit')}</button>
      </form>`;
    return sendPage(reply, page(ctx, t('supervision.title'), body, { live: 'queue' }));
  });

  app.post('/inbox/supervision', async (req, reply) => {
    const scope = staffOf(req);
    const slot = Slot.parse(req.body ?? {});
    const organisationId = scope.role === 'admin' ? (slot.organisationId ?? null) : scope.organisationId;
    const org = organisationId ? await prisma.organisation.findUnique({ where: { id: organisationId }, select: { timezone: true } }) : null;
    const startsAt = localToInstant(slot.date, slot.time, org?.timezone ?? deps.config.programmeTimezone);
    await deps.committer.run((tx) => offerSupervisionSlot(tx, scope, { organisationId, startsAt, minutes: slot.minutes, place: slot.place }, new Date()));
    deps.live.nudge();
    return reply.redirect('/inbox/supervision', 303);
  });

  app.post('/inbox/supervision/:id/withdraw', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = z.object({ id: z.string().max(64) }).parse(req.params);
    await deps.committer.run((tx) => withdrawSupervisionSlot(tx, scope, id));
    deps.live.nudge();
    return reply.redirect('/inbox/supervision', 303);
  });
};
