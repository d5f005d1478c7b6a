import { systemEvent } from '../../core/events.js';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { audit } from '../../db/audit.js';
import { arrangeMeeting } from '../../db/lifecycle.js';
import { pairInScope } from '../../db/pairs.js';
import { html, type Html } from './html.js';
import { staffOf, type InboxDeps } from './index.js';
import { csrfField, type PageContext } from './layout.js';

const Meeting = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the date must look like 2027-01-31'),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'the time must look like 18:30'),
  minutes: z.coerce.number().int().refine((m) => [60, 75, 90].includes(m), 'a meeting lasts 60, 75 or 90 minutes'),
  place: z.string().trim().min(2, 'say where they meet').max(200),
});

/** The form to arrange the informal meeting (agreed pair) or the first formal one (confirmed pair). */
export function meetingForm(ctx: PageContext, pair: { id: string; status: string }): Html {
  const { t } = ctx;
  if (pair.status !== 'agreed' && pair.status !== 'active') return html``;
  const key = pair.status === 'agreed' ? 'meeting.informal' : 'meeting.formal';
  return html`<form method="post" action="/inbox/pairs/${pair.id}/meeting" class="card">
    <h3>${t(`${key}_title`)}</h3><p class="hint">${t(`${key}_hint`)}</p>
    ${csrfField(ctx)}
    <label for="m-date">${t('meeting.date')}</label><input id="m-date" name="date" type="date" required>
    <label for="m-time">${t('meeting.time')}</label><input id="m-time" name="time" type="time" required>
    <label for="m-minutes">${t('meeting.minutes')}</label>
    <select id="m-minutes" name="minutes">${[60, 75, 90].map((m) => html`<option value="${m}">${m}</option>`)}</select>
    <label for="m-place">${t('meeting.place')}</label><input id="m-place" name="place" type="text" required maxlength="200">
    <button type="submit">${t('meeting.submit')}</button>
  </form>`;
}

/**
 * Once a match is confirmed, each side is asked in chat to agree to the ground rules and the
 * code of ethics (flows/ground-rules.ts), through their own queue.
 */
export async function pushGroundRules(deps: InboxDeps, pairId: string): Promise<void> {
  const pair = await deps.db.prisma.pair.findUniqueOrThrow({ where: { id: pairId }, include: { mentee: true, mentor: true } });
  await deps.ingest((['mentee', 'mentor'] as const).map((side) => systemEvent(pair[side], { name: 'push', data: { flowId: 'ground_rules', pairId, side } })));
}

/** A coordinator arranges a meeting for a pair, which they attend. */
export const meetingRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  app.post('/inbox/pairs/:id/meeting', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = z.object({ id: z.string().max(64) }).parse(req.params);
    const meeting = Meeting.parse(req.body ?? {});
    await deps.committer.run(async (tx) => {
      await pairInScope(tx, scope, id);
      const sessionId = await arrangeMeeting(tx, deps.translator, deps.config.programmeTimezone, id, meeting, new Date());
      await audit(tx, scope, { kind: 'change', action: 'pair.meeting', subject: `pair:${id}`, detail: { sessionId } });
    });
    deps.onOutbound();
    deps.live.nudge();
    return reply.redirect(`/inbox/pairs/${id}#pair-sessions`, 303);
  });
};
