import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import {
  acknowledgeCase,
  assignableStaff,
  assignCase,
  caseFile,
  caseHappened,
  caseKinds,
  caseOutcomes,
  caseSeverities,
  caseStatuses,
  caseSummary,
  closeCase,
  listCases,
  messageRecipient,
  openCaseByCoordinator,
  recordableActions,
  recordCaseAction,
  sendCaseMessage,
  setCaseParties,
  setCaseStatus,
  settableStatuses,
  suggestedSeverity,
  takeCase,
  triageCase,
  type ActionNote,
  type CaseDeps,
} from '../../db/cases.js';
import type { Tx } from '../../db/client.js';
import { nameOf } from '../../db/inbox.js';
import { listPeople } from '../../db/people.js';
import { inScope, NotFound, type Scope } from '../../db/scope.js';
import { html, type Html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { csrfField, formatTime, page, type PageContext, languageName } from './layout.js';
import { personLabel } from './queue.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** The `?done=` notices this section shows (anything else is ignored, not echoed). */
const doneKeys = new Set(['opened', 'taken', 'assigned', 'triaged', 'acknowledged', 'status', 'parties', 'recorded', 'sent', 'approved', 'closed']);

const note = (max = 4000) => z.string().trim().max(max, `the note is longer than ${max} characters`);
const optionalNote = note().optional().transform((v) => v ?? '');
const requiredNote = note().min(1, 'write a note: what was done and why');
const optionalId = z.string().max(64).optional().transform((v) => v?.trim() || null);
const checkbox = z.string().optional().transform((v) => v === 'on');

const NewCase = z.object({
  kind: z.enum(caseKinds, { error: 'choose what the case is about' }),
  happened: z.enum(caseHappened, { error: 'choose when it happened' }),
  severity: z.enum(caseSeverities, { error: 'choose a severity: urgent, high or normal' }),
  description: z.string().trim().min(2, 'describe what was reported').max(4000, 'the description is longer than 4000 characters'),
  reporterId: optionalId,
  subjectId: optionalId,
  pairId: optionalId,
  danger: checkbox,
  involvesMinor: checkbox,
  contactOk: checkbox,
});
const Triage = z.object({ severity: z.enum(caseSeverities, { error: 'choose a severity: urgent, high or normal' }), note: optionalNote });
const Acknowledge = z.object({ note: optionalNote });
const Status = z.object({ status: z.enum(settableStatuses, { error: 'choose triaged, under review or action taken (closing has its own form)' }), note: optionalNote });
const Assign = z.object({ staffId: z.string().min(1, 'choose a staff member').max(64) });
const Parties = z.object({ subjectId: optionalId, pairId: optionalId, involvesMinor: checkbox });
const RecordAction = z.object({ action: z.enum(recordableActions, { error: 'choose an action' }), note: requiredNote });
const Message = z.object({
  to: z.enum(['reporter', 'other'], { error: 'say who the message is for: reporter or other' }),
  text: z.string().trim().min(1, 'the message is empty').max(4000, 'the message is longer than 4000 characters'),
});
const Close = z.object({ outcome: z.enum(caseOutcomes, { error: `choose an outcome: ${caseOutcomes.join(', ')}` }), note: requiredNote });
const ListQuery = z.object({
  status: z.enum([...caseStatuses, 'open', 'all']).optional().catch(undefined),
  severity: z.enum(caseSeverities).optional().catch(undefined),
});

function caseId(params: unknown): string {
  const parsed = IdParams.safeParse(params);
  if (!parsed.success) throw new NotFound('case');
  return parsed.data.id;
}

function doneNotice(ctx: PageContext, done: unknown): Html {
  return typeof done === 'string' && doneKeys.has(done) ? html`<p class="notice" role="status">${ctx.t(`cases:done.${done}`)}</p>` : html``;
}

function badges(ctx: PageContext, c: { urgent: boolean; overdue: boolean }): Html {
  return html`${c.urgent ? html`<span class="badge urgent">${ctx.t('badge.urgent')}</span>` : ''}${c.overdue ? html`<span class="badge overdue">${ctx.t('badge.overdue')}</span>` : ''}`;
}

/** A label key for an action name: `contact_other` would read as an i18next plural form, so contacts nest. */
const labelKey = (action: string) => action.replace(/^contact_/, 'contact.');

/** Someone's words with their line breaks, as text. */
const lines = (text: string) => text.split('\n').map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`);

const severityLabel = (ctx: PageContext, severity: string | null) => (severity ? ctx.t(`severity.${severity}`) : ctx.t('cases:case.not_triaged'));

function options<T extends string>(values: readonly T[], label: (v: T) => string, selected: string | null | undefined, empty?: string): Html {
  return html`${empty !== undefined ? html`<option value="">${empty}</option>` : ''}${values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${label(v)}</option>`)}`;
}

type PersonLike = { id: string; registration: unknown; channel: string; role: string | null };

function personName(ctx: PageContext, p: { registration: unknown; channel: string }): string {
  return personLabel(ctx, { name: nameOf(p.registration), channel: p.channel });
}

function peopleOptions(ctx: PageContext, people: readonly { id: string; name: string | null; channel: string; role: string | null }[], selected: string | null, empty: string): Html {
  return html`<option value="">${empty}</option>${people.map(
    (p) => html`<option value="${p.id}"${p.id === selected ? html` selected` : ''}>${personLabel(ctx, p)}${p.role ? ` · ${ctx.t(`role.${p.role}`)}` : ''}</option>`,
  )}`;
}

type PairWithPeople = { id: string; status: string; mentee: PersonLike; mentor: PersonLike };

function pairLabel(ctx: PageContext, pair: PairWithPeople): string {
  return ctx.t('cases:pair.label', { mentee: personName(ctx, pair.mentee), mentor: personName(ctx, pair.mentor), status: ctx.t(`cases:pair_status.${pair.status}`) });
}

/** Pairs a case may be about, for a form: the open pairs in scope, or those of the case's people. */
function pairsFor(deps: InboxDeps, scope: Scope, people: readonly string[] = []) {
  return deps.db.prisma.pair.findMany({
    where: {
      ...inScope(scope),
      ...(people.length > 0 ? { OR: [{ menteeId: { in: [...people] } }, { mentorId: { in: [...people] } }] } : { status: { in: ['consulting', 'agreed', 'active', 'paused'] } }),
    },
    include: { mentee: true, mentor: true },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
}

/** One line of the timeline: what was done, by whom, when, the facts in the reader's language and the note. */
function timelineEntry(ctx: PageContext, emails: Map<string, string>, a: { action: string; staffId: string | null; at: Date; facts: ActionNote }): Html {
  const { t } = ctx;
  const f = a.facts;
  const who = a.staffId ? (emails.get(a.staffId) ?? t('cases:timeline.former_staff')) : t('cases:timeline.system');
  const facts: (Html | string)[] = [];
  if (f.severity) facts.push(f.from ? t('cases:timeline.severity_from', { severity: t(`severity.${f.severity}`), from: t(`severity.${f.from}`) }) : t('cases:timeline.severity', { severity: t(`severity.${f.severity}`) }));
  if (f.status) facts.push(t('cases:timeline.status', { status: t(`cases:status.${f.status}`), from: t(`cases:status.${f.from ?? 'new'}`) }));
  if (f.assignee) facts.push(t('cases:timeline.assignee', { staff: emails.get(f.assignee) ?? t('cases:timeline.former_staff') }));
  if (f.alerted) facts.push(t('cases:timeline.alerted', { count: f.alerted.length, staff: f.alerted.map((s) => emails.get(s) ?? '?').join(', ') }));
  if (f.locale) facts.push(t(f.automatic ? 'cases:timeline.closure_notice' : 'cases:timeline.message', { language: languageName(ctx, f.locale) }));
  if (f.outcome) facts.push(t('cases:timeline.outcome', { outcome: t(`cases:outcome.${f.outcome}`) }));
  if (a.action === 'close_approve') facts.push(t('cases:timeline.waiting_second'));
  if (a.action === 'rematch' && f.personId) facts.push(html`<a href="/inbox/people/${f.personId}">${t('cases:timeline.rematch_link')}</a>`);
  if (a.action === 'remove' && f.personId) facts.push(html`<a href="/inbox/people/${f.personId}">${t('cases:timeline.removed', { role: f.role ? t(`role.${f.role}`) : '—' })}</a>`);
  if (a.action === 'parties') {
    facts.push(f.subjectId ? html`<a href="/inbox/people/${f.subjectId}">${t('cases:timeline.other_party_set')}</a>` : t('cases:timeline.other_party_cleared'));
    if (f.involvesMinor) facts.push(t('cases:timeline.minor'));
  }
  const known = (['triage', 'acknowledge', 'assign', 'status', 'alert', 'parties', 'close_approve', 'close'] as const).some((k) => k === a.action) || (recordableActions as readonly string[]).includes(a.action);
  return html`<li>
    <strong>${known ? t(`cases:action.${labelKey(a.action)}`) : a.action}</strong>
    <span class="meta">${who} · ${formatTime(ctx, a.at)}</span>
    ${facts.length > 0 ? html`<p>${facts.map((x, i) => html`${i > 0 ? ' · ' : ''}${x}`)}</p>` : ''}
    ${f.text ? html`<blockquote>${lines(f.text)}</blockquote>` : ''}
  </li>`;
}

/** The misconduct cases: the list, opening one, a case's page and every step of the protocol. */
export const caseRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;
  const caseDeps: CaseDeps = { translator: deps.translator, limits: deps.config.caseLimitHours };
  const changed = () => deps.live.nudge();

  app.get('/inbox/cases', async (req, reply) => {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const query = ListQuery.parse(req.query ?? {});
    const rows = await listCases(prisma, scope, query, Date.now());
    const body = html`${doneNotice(ctx, (req.query as { done?: unknown }).done)}
      <p><a href="/inbox/cases/new">${t('cases:list.open_case')}</a></p>
      <form method="get" action="/inbox/cases" class="filters" role="search">
        <label for="f-status">${t('cases:list.status')}</label>
        <select id="f-status" name="status">${options(['open', 'all', ...caseStatuses] as const, (s) => t(`cases:filter.${s}`), query.status ?? 'open')}</select>
        <label for="f-severity">${t('cases:list.severity')}</label>
        <select id="f-severity" name="severity">${options(caseSeverities, (s) => t(`severity.${s}`), query.severity, t('cases:filter.any'))}</select>
        <button type="submit">${t('cases:list.filter')}</button>
      </form>
      <p class="lead">${t('cases:list.count', { count: rows.length })}</p>
      ${rows.length === 0 ? html`<p>${t('cases:list.empty')}</p>` : html`<table class="list"><thead><tr>
          <th scope="col">${t('cases:list.reference')}</th><th scope="col">${t('cases:list.severity')}</th><th scope="col">${t('cases:list.status')}</th>
          <th scope="col">${t('cases:list.due')}</th><th scope="col">${t('cases:list.opened')}</th><th scope="col">${t('cases:list.assigned')}</th></tr></thead>
        <tbody>${rows.map(
          (r) => html`<tr><td><a href="/inbox/cases/${r.id}">${r.reference}</a>${badges(ctx, r)}</td><td>${severityLabel(ctx, r.severity)}</td>
            <td>${t(`cases:status.${r.status}`)}</td><td>${r.dueAt ? formatTime(ctx, r.dueAt) : '—'}</td><td>${formatTime(ctx, r.createdAt)}</td>
            <td>${t(`cases:assignment.${r.assignment}`)}</td></tr>`,
        )}</tbody></table>`}`;
    return sendPage(reply, page(ctx, t('cases:list.title'), body, { live: 'queue' }));
  });

  app.get('/inbox/cases/new', async (req, reply) => {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const [people, pairs] = await Promise.all([listPeople(prisma, scope, {}), pairsFor(deps, scope)]);
    const body = html`<p class="lead">${t('cases:new.lead')}</p>
      <form method="post" action="/inbox/cases" class="card">
        ${csrfField(ctx)}
        <label for="n-kind">${t('cases:case.kind')}</label>
        <select id="n-kind" name="kind" required>${options(caseKinds, (k) => t(`cases:kind.${k}`), null, t('cases:new.choose'))}</select>
        <label for="n-happened">${t('cases:case.happened')}</label>
        <select id="n-happened" name="happened" required>${options(caseHappened, (h) => t(`cases:happened.${h}`), null, t('cases:new.choose'))}</select>
        <label for="n-severity">${t('cases:case.severity')}</label>
        <select id="n-severity" name="severity" required aria-describedby="n-severity-hint">${options(caseSeverities, (s) => t(`severity.${s}`), null, t('cases:new.choose'))}</select>
        <p class="hint" id="n-severity-hint">${t('cases:triage.protocol', { urgent: deps.config.caseLimitHours.urgent, high: deps.config.caseLimitHours.high, normal: deps.config.caseLimitHours.normal })}</p>
        <label><input type="checkbox" name="danger"> ${t('cases:new.danger')}</label>
        <label><input type="checkbox" name="involvesMinor"> ${t('cases:new.minor')}</label>
        <label for="n-reporter">${t('cases:new.reporter')}</label>
        <select id="n-reporter" name="reporterId">${peopleOptions(ctx, people, null, t('cases:new.reporter_outside'))}</select>
        <label><input type="checkbox" name="contactOk"> ${t('cases:new.contact_ok')}</label>
        <label for="n-subject">${t('cases:new.subject')}</label>
        <select id="n-subject" name="subjectId">${peopleOptions(ctx, people, null, t('cases:new.nobody'))}</select>
        <label for="n-pair">${t('cases:case.pair')}</label>
        <select id="n-pair" name="pairId"><option value="">${t('cases:new.no_pair')}</option>${pairs.map((p) => html`<option value="${p.id}">${pairLabel(ctx, p)}</option>`)}</select>
        <label for="n-description">${t('cases:new.description')}</label>
        <textarea id="n-description" name="description" rows="6" maxlength="4000" required aria-describedby="n-description-hint"></textarea>
        <p class="hint" id="n-description-hint">${t('cases:new.description_hint')}</p>
        <button type="submit">${t('cases:new.submit')}</button>
      </form>`;
    return sendPage(reply, page(ctx, t('cases:new.title'), body));
  });

  app.post('/inbox/cases', async (req, reply) => {
    const scope = staffOf(req);
    // A refused form is a ZodError: the inbox answers 400 with the reasons.
    const body = NewCase.parse(req.body ?? {});
    const opened = await deps.committer.run((tx) => openCaseByCoordinator(tx, scope, caseDeps, body, Date.now()));
    deps.onOutbound();
    changed();
    return reply.redirect(`/inbox/cases/${opened.id}?done=opened`, 303);
  });

  app.get('/inbox/cases/:id', async (req, reply) => {
    const scope = staffOf(req);
    const id = caseId(req.params);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const done = doneNotice(ctx, (req.query as { done?: unknown }).done);
    const summary = await caseSummary(prisma, scope, id);
    const title = t('cases:case.title', { reference: summary.reference });
    const dueFacts = html`<dt>${t('cases:case.severity')}</dt><dd>${severityLabel(ctx, summary.severity)}${badges(ctx, summary)}</dd>
      <dt>${t('cases:case.status')}</dt><dd>${t(`cases:status.${summary.status}`)}</dd>
      <dt>${t('cases:case.due')}</dt><dd>${summary.dueAt ? formatTime(ctx, summary.dueAt) : '—'}${summary.acknowledgedAt ? html` (${t('cases:case.acknowledged_at', { at: formatTime(ctx, summary.acknowledgedAt) })})` : ''}</dd>
      <dt>${t('cases:case.opened')}</dt><dd>${formatTime(ctx, summary.createdAt)}</dd>`;

    if (!summary.canSeeContent) {
      // That the case exists, never what is in it: enough for a coordinator to take it.
      const body = html`${done}<section aria-labelledby="c-summary"><h2 id="c-summary">${t('cases:case.summary')}</h2>
          <dl class="facts"><dt>${t('cases:case.reference')}</dt><dd>${summary.reference}</dd>${dueFacts}</dl>
          <p>${t('cases:case.content_restricted')}</p>
          ${summary.assigneeIds.length === 0 && summary.status !== 'closed'
            ? html`<form method="post" action="/inbox/cases/${id}/take">${csrfField(ctx)}<button>${t('cases:case.take')}</button></form>
               <p class="hint">${t('cases:case.take_hint')}</p>`
            : html`<p class="hint">${t('cases:case.assigned_elsewhere')}</p>`}
        </section>`;
      return sendPage(reply, page(ctx, title, body));
    }

    const file = await deps.committer.run((tx) => caseFile(tx, scope, id));
    const c = file.case;
    const open = c.status !== 'closed';
    const parties = [c.reporterId, c.subjectId].filter((p): p is string => p !== null);
    const [people, pairs, staff, toReporter, toOther] = await Promise.all([
      open ? listPeople(prisma, scope, {}) : Promise.resolve([]),
      open ? pairsFor(deps, scope, parties) : Promise.resolve([]),
      open ? assignableStaff(prisma, scope, id) : Promise.resolve([]),
      open && c.contactOk ? messageRecipient(prisma, scope, deps.translator, c, 'reporter') : Promise.resolve(null),
      open ? messageRecipient(prisma, scope, deps.translator, c, 'other') : Promise.resolve(null),
    ]);
    const personFact = (p: typeof file.reporter, none: string) =>
      p
        ? html`<a href="/inbox/people/${p.id}">${personName(ctx, p)}</a> · ${p.role ? t(`role.${p.role}`) : '—'} · ${languageName(ctx, p.locale ?? deps.translator.defaultLocale)} · ${t(`channel.${p.channel}`)}${
            p.unreachableAt ? html` <span class="badge overdue">${t('cases:case.unreachable')}</span>` : ''
          }`
        : none;
    const suggested = c.severity ?? suggestedSeverity(c.kind, c.danger);
    const messageForm = (to: 'reporter' | 'other', r: NonNullable<typeof toReporter>) => {
      const field = `m-${to}`;
      return html`<form method="post" action="/inbox/cases/${id}/message">
          ${csrfField(ctx)}<input type="hidden" name="to" value="${to}">
          <label for="${field}">${t(`cases:message.${to}.label`, { name: personName(ctx, r.person), language: languageName(ctx, r.locale) })}</label>
          <textarea id="${field}" name="text" rows="6" maxlength="4000" required lang="${r.locale}" dir="${deps.translator.isRtl(r.locale) ? 'rtl' : 'ltr'}" aria-describedby="${field}-hint">${r.prepared}</textarea>
          <p class="hint" id="${field}-hint">${t(`cases:message.${to}.hint`, { language: languageName(ctx, r.locale) })}</p>
          <button type="submit">${t('cases:message.send')}</button>
        </form>`;
    };

    const body = html`${done}
      <section aria-labelledby="c-about"><h2 id="c-about">${t('cases:case.about')}</h2>
        <dl class="facts">
          <dt>${t('cases:case.reference')}</dt><dd>${c.reference}</dd>
          <dt>${t('cases:case.source')}</dt><dd>${t(`cases:source.${c.source}`)}</dd>
          <dt>${t('cases:case.kind')}</dt><dd>${t(`cases:kind.${c.kind}`)}</dd>
          <dt>${t('cases:case.happened')}</dt><dd>${t(`cases:happened.${c.happened}`)}</dd>
          <dt>${t('cases:case.danger')}</dt><dd>${t(c.danger ? 'common.yes' : 'common.no')}</dd>
          <dt>${t('cases:case.minor')}</dt><dd>${t(c.involvesMinor ? 'common.yes' : 'common.no')}</dd>
          ${dueFacts}
          <dt>${t('cases:case.assignees')}</dt><dd>${c.assignees.length > 0 ? c.assignees.map((a) => a.staff.email).join(', ') : t('cases:assignment.none')}</dd>
          ${c.outcome ? html`<dt>${t('cases:case.outcome')}</dt><dd>${t(`cases:outcome.${c.outcome}`)}${c.closeApprovedBy && !c.closedAt ? html` (${t('cases:case.approved_by', { staff: file.staffEmails.get(c.closeApprovedBy) ?? '?' })})` : ''}</dd>` : ''}
        </dl>
        <h3>${t('cases:case.description')}</h3>
        <blockquote>${lines(c.description)}</blockquote>
      </section>

      <section aria-labelledby="c-people"><h2 id="c-people">${t('cases:case.people')}</h2>
        <dl class="facts">
          <dt>${t('cases:case.reporter')}</dt><dd>${personFact(file.reporter, t('cases:case.no_reporter'))}${file.reporter && !c.contactOk ? html`<br><span class="hint">${t('cases:case.no_contact')}</span>` : ''}</dd>
          <dt>${t('cases:case.other_party')}</dt><dd>${personFact(file.subject, t('cases:case.not_known'))}</dd>
          <dt>${t('cases:case.pair')}</dt><dd>${file.pair ? pairLabel(ctx, file.pair) : t('cases:case.not_known')}</dd>
        </dl>
        <p class="hint">${t('cases:case.reporter_confidential')}</p>
        ${open
          ? html`<form method="post" action="/inbox/cases/${id}/parties">
              ${csrfField(ctx)}
              <label for="p-subject">${t('cases:case.other_party')}</label>
              <select id="p-subject" name="subjectId">${peopleOptions(ctx, people.filter((p) => p.id !== c.reporterId), c.subjectId, t('cases:new.nobody'))}</select>
              <label for="p-pair">${t('cases:case.pair')}</label>
              <select id="p-pair" name="pairId"><option value="">${t('cases:new.no_pair')}</option>${pairs.map((p) => html`<option value="${p.id}"${p.id === c.pairId ? html` selected` : ''}>${pairLabel(ctx, p)}</option>`)}</select>
              <label><input type="checkbox" name="involvesMinor"${c.involvesMinor ? html` checked disabled` : ''}> ${t('cases:new.minor')}</label>
              ${c.involvesMinor ? html`<input type="hidden" name="involvesMinor" value="on">` : ''}
              <button type="submit" class="secondary">${t('cases:parties.save')}</button>
            </form>`
          : ''}
      </section>

      ${open
        ? html`<section aria-labelledby="c-work"><h2 id="c-work">${t('cases:case.work')}</h2>
          ${!c.acknowledgedAt
            ? html`<form method="post" action="/inbox/cases/${id}/acknowledge">${csrfField(ctx)}<button>${t('cases:acknowledge.submit')}</button></form>
               <p class="hint">${t('cases:acknowledge.hint')}</p>`
            : ''}
          <form method="post" action="/inbox/cases/${id}/triage">
            ${csrfField(ctx)}
            <label for="w-severity">${t('cases:case.severity')}</label>
            <select id="w-severity" name="severity" required aria-describedby="w-severity-hint">${options(caseSeverities, (s) => t(`severity.${s}`), suggested)}</select>
            <p class="hint" id="w-severity-hint">${t('cases:triage.protocol', { urgent: deps.config.caseLimitHours.urgent, high: deps.config.caseLimitHours.high, normal: deps.config.caseLimitHours.normal })} ${t('cases:triage.urgent_effect')}</p>
            <label for="w-triage-note">${t('cases:form.note_optional')}</label>
            <textarea id="w-triage-note" name="note" rows="2" maxlength="4000"></textarea>
            <button type="submit">${t('cases:triage.submit')}</button>
          </form>
          <form method="post" action="/inbox/cases/${id}/status">
            ${csrfField(ctx)}
            <label for="w-status">${t('cases:case.status')}</label>
            <select id="w-status" name="status">${options(settableStatuses, (s) => t(`cases:status.${s}`), c.status)}</select>
            <label for="w-status-note">${t('cases:form.note_optional')}</label>
            <textarea id="w-status-note" name="note" rows="2" maxlength="4000"></textarea>
            <button type="submit" class="secondary">${t('cases:status_form.submit')}</button>
          </form>
          <form method="post" action="/inbox/cases/${id}/action">
            ${csrfField(ctx)}
            <label for="w-action">${t('cases:record.action')}</label>
            <select id="w-action" name="action" aria-describedby="w-action-hint">${options(recordableActions, (a) => t(`cases:record.choice.${labelKey(a)}`), 'note')}</select>
            <p class="hint" id="w-action-hint">${t('cases:record.hint')}</p>
            <label for="w-action-note">${t('cases:form.note')}</label>
            <textarea id="w-action-note" name="note" rows="3" maxlength="4000" required></textarea>
            <button type="submit">${t('cases:record.submit')}</button>
          </form>
          ${staff.length > 0
            ? html`<form method="post" action="/inbox/cases/${id}/assign">
                ${csrfField(ctx)}
                <label for="w-assign">${t('cases:assign.label')}</label>
                <select id="w-assign" name="staffId">${staff.map((s) => html`<option value="${s.id}">${s.email}</option>`)}</select>
                <button type="submit" class="secondary">${t('cases:assign.submit')}</button>
              </form>`
            : ''}
        </section>

        <section aria-labelledby="c-messages"><h2 id="c-messages">${t('cases:message.title')}</h2>
          ${toReporter ? messageForm('reporter', toReporter) : html`<p>${t(file.reporter && !c.contactOk ? 'cases:case.no_contact' : 'cases:message.no_reporter')}</p>`}
          ${toOther ? messageForm('other', toOther) : html`<p>${t('cases:message.no_subject')}</p>`}
        </section>

        <section aria-labelledby="c-close"><h2 id="c-close">${t('cases:close.title')}</h2>
          ${c.involvesMinor
            ? html`<p class="hint">${c.closeApprovedBy ? t('cases:close.minor_second', { staff: file.staffEmails.get(c.closeApprovedBy) ?? '?' }) : t('cases:close.minor_first')}</p>`
            : ''}
          <form method="post" action="/inbox/cases/${id}/close">
            ${csrfField(ctx)}
            <label for="x-outcome">${t('cases:case.outcome')}</label>
            <select id="x-outcome" name="outcome" required>${options(caseOutcomes, (o) => t(`cases:outcome.${o}`), c.outcome, t('cases:new.choose'))}</select>
            <label for="x-note">${t('cases:form.note')}</label>
            <textarea id="x-note" name="note" rows="3" maxlength="4000" required aria-describedby="x-hint"></textarea>
            <p class="hint" id="x-hint">${t('cases:close.hint')}</p>
            <button type="submit" class="danger">${t(c.involvesMinor && !c.closeApprovedBy ? 'cases:close.approve' : 'cases:close.submit')}</button>
          </form>
        </section>`
        : ''}

      <section aria-labelledby="c-timeline"><h2 id="c-timeline">${t('cases:timeline.title')}</h2>
        <ol>
          <li><strong>${t(`cases:source.${c.source}`)}</strong> <span class="meta">${formatTime(ctx, c.createdAt)}</span></li>
          ${file.actions.map((a) => timelineEntry(ctx, file.staffEmails, a))}
        </ol>
      </section>`;
    return sendPage(reply, page(ctx, title, body));
  });

  /** A case change: parses the form, runs it in one transaction, and goes back to the case. */
  function change<S extends z.ZodType>(path: string, schema: S, run: (tx: Tx, scope: Scope, id: string, form: z.output<S>, now: number) => Promise<string>) {
    app.post(`/inbox/cases/:id/${path}`, async (req, reply) => {
      const scope = staffOf(req);
      const id = caseId(req.params);
      // Another organisation's case is not there at all, whatever the form says.
      await caseSummary(prisma, scope, id);
      const form = schema.parse(req.body ?? {});
      const done = await deps.committer.run((tx) => run(tx, scope, id, form, Date.now()));
      deps.onOutbound();
      changed();
      return reply.redirect(`/inbox/cases/${id}?done=${done}`, 303);
    });
  }

  change('take', z.object({}), async (tx, scope, id, _form, now) => {
    await takeCase(tx, scope, id, now);
    return 'taken';
  });
  change('assign', Assign, async (tx, scope, id, form, now) => {
    await assignCase(tx, scope, id, form.staffId, now);
    return 'assigned';
  });
  change('triage', Triage, async (tx, scope, id, form, now) => {
    await triageCase(tx, scope, caseDeps, id, form.severity, form.note, now);
    return 'triaged';
  });
  change('acknowledge', Acknowledge, async (tx, scope, id, form, now) => {
    await acknowledgeCase(tx, scope, id, form.note, now);
    return 'acknowledged';
  });
  change('status', Status, async (tx, scope, id, form, now) => {
    await setCaseStatus(tx, scope, id, form.status, form.note, now);
    return 'status';
  });
  change('parties', Parties, async (tx, scope, id, form, now) => {
    await setCaseParties(tx, scope, id, form, now);
    return 'parties';
  });
  change('action', RecordAction, async (tx, scope, id, form, now) => {
    await recordCaseAction(tx, scope, caseDeps, id, form.action, form.note, now);
    return 'recorded';
  });
  change('message', Message, async (tx, scope, id, form, now) => {
    await sendCaseMessage(tx, scope, deps.translator, id, form.to, form.text, now);
    return 'sent';
  });
  change('close', Close, async (tx, scope, id, form, now) => (await closeCase(tx, scope, deps.translator, id, form.outcome, form.note, now)) === 'approved' ? 'approved' : 'closed');
};
