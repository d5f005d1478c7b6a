import { systemEvent } from '../../core/events.js';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { pairSides, type PairSide } from '../../core/consultation.js';
import { auditLog, audit } from '../../db/audit.js';
import { nameOf } from '../../db/inbox.js';
import { rankMentorsFor } from '../../db/matching.js';
import {
  askAgain,
  changePairStatus,
  confirmPair,
  hasDecided,
  listPairs,
  pairInScope,
  pairStatuses,
  proposePair,
  readConsultation,
  type Consultation,
  type ConsultTarget,
  type PairStatus,
} from '../../db/pairs.js';
import { personInScope } from '../../db/scope.js';
import { pushGroundRules } from './pair-meetings.js';
import { pairSessionsSection } from './pair-sessions.js';
import { html, type Html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { csrfField, formatTime, page, type PageContext } from './layout.js';
import { personLabel } from './queue.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const Reason = z.object({ reason: z.string().trim().min(1, 'give a reason: it stays with the pair for coordinators').max(500, 'the reason is longer than 500 characters') });

/** The `?done=` notices of the pair page (anything else is ignored, not echoed). */
const doneKeys = new Set(['proposed', 'asked', 'confirmed', 'paused', 'resumed', 'ended']);

/** A conversation mode that keeps the bot from putting a proposal to a person. */
type QuietMode = 'handover' | 'stopped';

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: 'BAD_REQUEST', message });
}

/** The person of a pair, as a page shows them: their name, or "no name yet". */
export function pairPersonLabel(ctx: PageContext, person: { registration: unknown; channel: string }): string {
  return personLabel(ctx, { name: nameOf(person.registration), channel: person.channel });
}

/** Numbers with at most one decimal, in the staff member's language ("76,5" in Portuguese). */
export function decimal(ctx: PageContext): Intl.NumberFormat {
  return new Intl.NumberFormat(ctx.locale === 'pt' ? 'pt-PT' : 'en-GB', { maximumFractionDigits: 1 });
}

/** The engine's score as a coordinator reads it: "76.5 of 100". */
export function scoreText(ctx: PageContext, score: number | null): string {
  return score === null ? '—' : ctx.t('pairs:score_value', { score: decimal(ctx).format(score) });
}

export function statusBadge(ctx: PageContext, status: string): Html {
  const attention = status === 'agreed' || status === 'declined';
  return html`<span class="badge${attention ? ' overdue' : ''}">${ctx.t(`pairs:status.${status}`)}</span>`;
}

/**
 * Where one side of a consultation stands, in words: their answer, or asked and waiting, or not
 * asked (and why), or being asked (the event is still in their queue).
 */
export function sideState(ctx: PageContext, consultation: Consultation, side: PairSide): string {
  const { t } = ctx;
  const answer = consultation[side];
  if (answer) return t(`pairs:consultation.${answer.answer}`);
  const notAsked = consultation.notAsked?.[side];
  if (notAsked) return t(`pairs:consultation.not_asked_${notAsked.mode}`);
  return consultation.asked?.[side] ? t('pairs:consultation.waiting') : t('pairs:consultation.being_asked');
}

/** "Mentee: said yes · Mentor: asked, no answer yet" for a pair's row. */
export function answersSummary(ctx: PageContext, status: string, consultationJson: unknown): string {
  if (status !== 'consulting' && status !== 'declined' && status !== 'agreed') return '—';
  const consultation = readConsultation(consultationJson);
  return pairSides.map((side) => `${ctx.t(`role.${side}`)}: ${sideState(ctx, consultation, side)}`).join(' · ');
}

/** Queues the consultation in each person's own order (after anything they sent meanwhile). */
async function startConsultations(deps: InboxDeps, targets: readonly ConsultTarget[]): Promise<void> {
  await deps.ingest(targets.map((c) => systemEvent(c, { name: 'consult', data: { ...c.request } })));
}

interface HistoryEntry {
  at: Date;
  who: string;
  what: string;
  note?: string;
}

/** The pair's story: the staff's changes from the audit, and each side's steps in chat. */
async function pairHistory(ctx: PageContext, deps: InboxDeps, pairId: string, consultation: Consultation): Promise<HistoryEntry[]> {
  const { t } = ctx;
  const entries = await auditLog(deps.db.prisma, { subject: `pair:${pairId}` });
  const staffIds = [...new Set(entries.map((e) => e.staffId).filter((id): id is string => id !== null))];
  const staff = new Map((await deps.db.prisma.staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, email: true } })).map((s) => [s.id, s.email]));
  const history: HistoryEntry[] = entries.map((e) => {
    const detail = (e.detail ?? {}) as Record<string, unknown>;
    const withdrawn = e.action === 'pair.ended' && (detail.from === 'consulting' || detail.from === 'agreed');
    const what = withdrawn ? t('pairs:history.pair_withdrawn') : t(`pairs:history.${e.action.replace('.', '_')}`);
    const side = typeof detail.side === 'string' ? ` (${t(`role.${detail.side}`)})` : '';
    return {
      at: e.at,
      who: (e.staffId && staff.get(e.staffId)) ?? t('pairs:someone'),
      what: `${what}${side}`,
      ...(typeof detail.reason === 'string' ? { note: detail.reason } : {}),
    };
  });
  for (const side of pairSides) {
    const who = t(`role.${side}`);
    const asked = consultation.asked?.[side];
    if (asked) history.push({ at: new Date(asked), who, what: t('pairs:history.asked') });
    const notAsked = consultation.notAsked?.[side];
    if (notAsked) history.push({ at: new Date(notAsked.at), who, what: t('pairs:history.not_asked'), note: t(`pairs:consultation.not_asked_${notAsked.mode}`) });
    const answer = consultation[side];
    if (answer) history.push({ at: new Date(answer.at), who, what: t(`pairs:history.answer_${answer.answer}`) });
  }
  return history.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function reasonForm(ctx: PageContext, pairId: string, action: string, label: string, danger = false): Html {
  const field = `reason-${action}`;
  return html`<form method="post" action="/inbox/pairs/${pairId}/${action}" class="card">
    ${csrfField(ctx)}
    <label for="${field}">${ctx.t('pairs:actions.reason')}</label>
    <textarea id="${field}" name="reason" rows="2" maxlength="500" required></textarea>
    <button type="submit"${danger ? html` class="danger"` : ''}>${label}</button>
  </form>`;
}

/** The actions a pair's status allows, each a form. */
function actionsFor(ctx: PageContext, pair: { id: string; status: string; menteeId: string }, menteeName: string): Html {
  const { t } = ctx;
  const status = pair.status as PairStatus;
  switch (status) {
    case 'consulting':
      return html`<p class="hint">${t('pairs:actions.withdraw_told')}</p>
        ${reasonForm(ctx, pair.id, 'end', t('pairs:actions.withdraw'), true)}`;
    case 'agreed':
      return html`<p class="hint">${t('pairs:actions.confirm_hint')}</p>
        <form method="post" action="/inbox/pairs/${pair.id}/confirm">${csrfField(ctx)}<button type="submit">${t('pairs:actions.confirm')}</button></form>
        <p class="hint">${t('pairs:actions.withdraw_told')}</p>
        ${reasonForm(ctx, pair.id, 'end', t('pairs:actions.withdraw'), true)}
        ${reasonForm(ctx, pair.id, 'rematch', t('pairs:actions.rematch'), true)}`;
    case 'active':
    case 'paused':
      return html`<p class="hint">${t('pairs:actions.told')}</p>
        ${status === 'active' ? reasonForm(ctx, pair.id, 'pause', t('pairs:actions.pause')) : reasonForm(ctx, pair.id, 'resume', t('pairs:actions.resume'))}
        ${reasonForm(ctx, pair.id, 'end', t('pairs:actions.end'), true)}
        ${reasonForm(ctx, pair.id, 'rematch', t('pairs:actions.rematch'), true)}`;
    case 'declined':
    case 'ended':
      return html`<p>${t('pairs:actions.none')}</p>
        <p><a href="/inbox/people/${pair.menteeId}#matching">${t('pairs:actions.find_another', { name: menteeName })}</a></p>`;
  }
}

/** One side's row of the consultation table, with "ask again" where it makes sense. */
function consultationRow(ctx: PageContext, pair: { id: string; status: string }, consultation: Consultation, side: PairSide, mode: string): Html {
  const { t } = ctx;
  const answer = consultation[side];
  const canAsk = pair.status === 'consulting' && !hasDecided(consultation, side);
  const quiet = mode === 'handover' || mode === 'stopped' ? (mode as QuietMode) : undefined;
  // The person's own words, quoted: their question, and why not.
  const words = [
    answer?.question ? html`<br>${t('pairs:consultation.their_question')}: <q>${answer.question}</q>` : '',
    answer?.reason ? html`<br>${t('pairs:consultation.their_reason')}: <q>${answer.reason}</q>` : '',
  ];
  const ask = !canAsk
    ? ''
    : quiet
      ? html`<p class="hint">${t(quiet === 'handover' ? 'pairs:consultation.quiet_hint' : 'pairs:consultation.stopped_hint')}</p>`
      : html`<form method="post" action="/inbox/pairs/${pair.id}/ask" class="inline">${csrfField(ctx)}<input type="hidden" name="side" value="${side}">
          <button type="submit" class="secondary">${t(`pairs:consultation.ask_again_${side}`)}</button></form>
          ${answer?.answer === 'question' ? html`<p class="hint">${t('pairs:consultation.ask_hint')}</p>` : ''}`;
  return html`<tr>
    <th scope="row">${t(`role.${side}`)}</th>
    <td>${sideState(ctx, consultation, side)}${words}${ask}</td>
    <td>${answer ? formatTime(ctx, new Date(answer.at)) : '—'}</td>
  </tr>`;
}

/**
 * Pairs: the list with filters, a pair's page (both people, the consultation, the history, the
 * actions its status allows), proposing a pair from a mentee's candidates, and the changes.
 * Everything is scoped to the staff member's organisation (another's pair is not found).
 */
export const pairRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;

  app.get('/inbox/pairs', async (req, reply) => {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const query = z
      .object({ status: z.enum(pairStatuses).optional().catch(undefined), q: z.string().max(100).optional().catch(undefined) })
      .parse(req.query ?? {});
    const rows = await listPairs(prisma, scope, query);
    const body = html`<form method="get" action="/inbox/pairs" class="filters" role="search">
        <label for="f-status">${t('pairs:filter.status')}</label>
        <select id="f-status" name="status"><option value="">${t('pairs:filter.any')}</option>
          ${pairStatuses.map((s) => html`<option value="${s}"${query.status === s ? html` selected` : ''}>${t(`pairs:status.${s}`)}</option>`)}</select>
        <label for="f-q">${t('pairs:filter.q')}</label>
        <input id="f-q" name="q" type="search" value="${query.q ?? ''}">
        <button type="submit">${t('pairs:filter.submit')}</button>
      </form>
      <p class="lead">${t('pairs:count', { count: rows.length })}</p>
      ${rows.length === 0
        ? html`<p>${t('pairs:empty')}</p>`
        : html`<table class="list"><thead><tr><th scope="col">${t('pairs:col.pair')}</th><th scope="col">${t('pairs:col.mentee')}</th><th scope="col">${t('pairs:col.mentor')}</th>
            <th scope="col">${t('pairs:col.status')}</th><th scope="col">${t('pairs:col.answers')}</th><th scope="col">${t('pairs:col.score')}</th><th scope="col">${t('pairs:col.proposed')}</th></tr></thead>
          <tbody>${rows.map(
            (p) => html`<tr><td><a href="/inbox/pairs/${p.id}">${t('pairs:open_pair')}</a></td>
              <td><a href="/inbox/people/${p.mentee.id}">${pairPersonLabel(ctx, p.mentee)}</a></td>
              <td><a href="/inbox/people/${p.mentor.id}">${pairPersonLabel(ctx, p.mentor)}</a></td>
              <td>${statusBadge(ctx, p.status)}</td><td>${answersSummary(ctx, p.status, p.consultation)}</td>
              <td>${scoreText(ctx, p.score)}</td><td>${formatTime(ctx, p.createdAt)}</td></tr>`,
          )}</tbody></table>`}`;
    return sendPage(reply, page(ctx, t('pairs:title'), body, { live: 'queue' }));
  });

  app.get('/inbox/pairs/:id', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    const pair = await pairInScope(prisma, scope, id);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const consultation = readConsultation(pair.consultation);
    const [conversations, proposer, history] = await Promise.all([
      prisma.conversation.findMany({ where: { personId: { in: [pair.menteeId, pair.mentorId] } }, select: { personId: true, mode: true } }),
      pair.proposedBy ? prisma.staff.findUnique({ where: { id: pair.proposedBy }, select: { email: true } }) : Promise.resolve(null),
      pairHistory(ctx, deps, id, consultation),
    ]);
    const modeOf = (personId: string) => conversations.find((c) => c.personId === personId)?.mode ?? 'bot';
    const mentee = pairPersonLabel(ctx, pair.mentee);
    const mentor = pairPersonLabel(ctx, pair.mentor);
    const done = (req.query as { done?: string }).done;
    const body = html`${done && doneKeys.has(done) ? html`<p class="notice" role="status">${t(`pairs:done.${done}`)}</p>` : ''}
      <section aria-labelledby="pair-about"><h2 id="pair-about">${t('pairs:about')}</h2>
        <dl class="facts">
          <dt>${t('pairs:col.mentee')}</dt><dd><a href="/inbox/people/${pair.menteeId}">${mentee}</a></dd>
          <dt>${t('pairs:col.mentor')}</dt><dd><a href="/inbox/people/${pair.mentorId}">${mentor}</a></dd>
          <dt>${t('pairs:col.status')}</dt><dd>${statusBadge(ctx, pair.status)}</dd>
          <dt>${t('pairs:col.score')}</dt><dd>${scoreText(ctx, pair.score)}</dd>
          <dt>${t('pairs:proposed_by')}</dt><dd>${proposer?.email ?? '—'}</dd>
          <dt>${t('pairs:proposed_at')}</dt><dd>${formatTime(ctx, pair.createdAt)}</dd>
          ${pair.confirmedAt ? html`<dt>${t('pairs:confirmed_at')}</dt><dd>${formatTime(ctx, pair.confirmedAt)}</dd>` : ''}
          ${pair.endedAt ? html`<dt>${t('pairs:ended_at')}</dt><dd>${formatTime(ctx, pair.endedAt)}</dd>` : ''}
          ${pair.reason ? html`<dt>${t('pairs:reason')}</dt><dd>${pair.reason}</dd>` : ''}
        </dl>
      </section>
      <section aria-labelledby="pair-consultation"><h2 id="pair-consultation">${t('pairs:consultation.title')}</h2>
        <p class="lead">${t('pairs:consultation.lead')}</p>
        <table class="list"><thead><tr><th scope="col">${t('pairs:consultation.side')}</th><th scope="col">${t('pairs:consultation.answer')}</th><th scope="col">${t('pairs:consultation.when')}</th></tr></thead>
          <tbody>${consultationRow(ctx, pair, consultation, 'mentee', modeOf(pair.menteeId))}${consultationRow(ctx, pair, consultation, 'mentor', modeOf(pair.mentorId))}</tbody></table>
      </section>
      ${await pairSessionsSection(ctx, prisma, pair)}
      <section aria-labelledby="pair-actions"><h2 id="pair-actions">${t('pairs:actions.title')}</h2>
        ${actionsFor(ctx, pair, mentee)}
      </section>
      <section aria-labelledby="pair-history"><h2 id="pair-history">${t('pairs:history.title')}</h2>
        <table class="list"><thead><tr><th scope="col">${t('pairs:consultation.when')}</th><th scope="col">${t('pairs:history.who')}</th><th scope="col">${t('pairs:history.what')}</th><th scope="col">${t('pairs:history.note')}</th></tr></thead>
          <tbody>${history.map((h) => html`<tr><td>${formatTime(ctx, h.at)}</td><td>${h.who}</td><td>${h.what}</td><td>${h.note ?? ''}</td></tr>`)}</tbody></table>
      </section>`;
    return sendPage(reply, page(ctx, t('pairs:pair_title', { mentee, mentor }), body, { live: 'queue' }));
  });

  app.post('/inbox/people/:id/propose', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    // Another organisation's person is not there at all, whatever the form says.
    await personInScope(prisma, scope, id);
    const form = z.object({ mentorId: z.string().trim().min(1, 'choose a mentor to propose').max(64) }).safeParse(req.body ?? {});
    if (!form.success) return badRequest(reply, form.error.issues[0]!.message);
    const ranking = await rankMentorsFor(prisma, id);
    if (!ranking) return badRequest(reply, 'this person is not a registered mentee');
    // The engine suggests, the coordinator chooses, but only among those the rules allow.
    const candidate = ranking.ranked.find((r) => r.personId === form.data.mentorId);
    if (!candidate) return badRequest(reply, 'this mentor is not among the candidates for this mentee (another organisation, no room, or against the rules)');
    const proposal = await deps.committer.run((tx) => proposePair(tx, scope, { menteeId: id, mentorId: candidate.personId, score: candidate.score }, Date.now()));
    await startConsultations(deps, proposal.consult);
    deps.live.nudge();
    return reply.redirect(`/inbox/pairs/${proposal.pairId}?done=proposed`, 303);
  });

  app.post('/inbox/pairs/:id/ask', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    await pairInScope(prisma, scope, id);
    const form = z.object({ side: z.enum(pairSides, { error: 'say which side to ask: mentee or mentor' }) }).safeParse(req.body ?? {});
    if (!form.success) return badRequest(reply, form.error.issues[0]!.message);
    const target = await deps.committer.run((tx) => askAgain(tx, scope, id, form.data.side, Date.now()));
    await startConsultations(deps, [target]);
    deps.live.nudge();
    return reply.redirect(`/inbox/pairs/${id}?done=asked`, 303);
  });

  app.post('/inbox/pairs/:id/confirm', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    await deps.committer.run((tx) => confirmPair(tx, scope, deps.translator, id, Date.now()));
    await pushGroundRules(deps, id);
    deps.onOutbound();
    deps.live.nudge();
    return reply.redirect(`/inbox/pairs/${id}?done=confirmed`, 303);
  });

  const changes = [
    { path: 'pause', status: 'paused', done: 'paused' },
    { path: 'resume', status: 'active', done: 'resumed' },
    { path: 'end', status: 'ended', done: 'ended' },
  ] as const;
  for (const change of changes) {
    app.post(`/inbox/pairs/:id/${change.path}`, async (req, reply) => {
      const scope = staffOf(req);
      const { id } = IdParams.parse(req.params);
      const pair = await pairInScope(prisma, scope, id);
      const form = Reason.safeParse(req.body ?? {});
      if (!form.success) return badRequest(reply, form.error.issues[0]!.message);
      // Nothing would change, and nobody would be told: say so rather than pretend.
      if (pair.status === change.status) return badRequest(reply, `this pair is already ${change.status}`);
      await deps.committer.run((tx) => changePairStatus(tx, scope, deps.translator, id, change.status, form.data.reason, Date.now()));
      deps.onOutbound();
      deps.live.nudge();
      return reply.redirect(`/inbox/pairs/${id}?done=${change.done}`, 303);
    });
  }

  app.post('/inbox/pairs/:id/rematch', async (req, reply) => {
    const scope = staffOf(req);
    const { id } = IdParams.parse(req.params);
    const pair = await pairInScope(prisma, scope, id);
    const form = Reason.safeParse(req.body ?? {});
    if (!form.success) return badRequest(reply, form.error.issues[0]!.message);
    await deps.committer.run(async (tx) => {
      await changePairStatus(tx, scope, deps.translator, id, 'ended', form.data.reason, Date.now());
      await audit(tx, scope, { kind: 'change', action: 'pair.rematch', subject: `pair:${id}`, detail: { mentee: pair.menteeId } });
    });
    deps.onOutbound();
    deps.live.nudge();
    // Back to the mentee's candidates, to choose another mentor.
    return reply.redirect(`/inbox/people/${pair.menteeId}#matching`, 303);
  });
};
