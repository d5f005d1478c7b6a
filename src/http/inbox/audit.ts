import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { auditLog } from '../../db/audit.js';
import { NotFound } from '../../db/scope.js';
import { html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { formatTime, page } from './layout.js';

/** The audit trail, for admins: who saw or changed what, newest first, optionally for one subject. */
export const auditRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  app.get('/inbox/audit', async (req, reply) => {
    const scope = staffOf(req);
    // Coordinators are not told the page exists.
    if (scope.role !== 'admin') throw new NotFound('page');
    const query = z.object({ subject: z.string().max(100).optional().catch(undefined) }).parse(req.query ?? {});
    const subject = query.subject?.trim() || undefined;
    const entries = await auditLog(deps.db.prisma, { ...(subject ? { subject } : {}), take: 300 });
    const staff = await deps.db.prisma.staff.findMany({ where: { id: { in: [...new Set(entries.flatMap((e) => (e.staffId ? [e.staffId] : [])))] } }, select: { id: true, email: true } });
    const emails = new Map(staff.map((s) => [s.id, s.email]));
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const link = (s: string) => {
      const [type, id] = s.split(':');
      const href = type === 'person' ? `/inbox/people/${id}` : type === 'case' ? `/inbox/cases/${id}` : type === 'pair' ? `/inbox/pairs/${id}` : undefined;
      return href ? html`<a href="${href}">${s}</a>` : html`${s}`;
    };
    const body = html`<form method="get" action="/inbox/audit" class="filters" role="search">
        <label for="a-subject">${t('audit.subject')}</label>
        <input id="a-subject" name="subject" type="search" value="${subject ?? ''}" placeholder="case:…">
        <button type="submit">${t('people.filter')}</button>
      </form>
      <table class="list"><thead><tr><th scope="col">${t('audit.when')}</th><th scope="col">${t('audit.who')}</th><th scope="col">${t('audit.kind')}</th><th scope="col">${t('audit.action')}</th><th scope="col">${t('audit.subject')}</th><th scope="col">${t('audit.detail')}</th></tr></thead>
      <tbody>${entries.map(
        (e) => html`<tr><td>${formatTime(ctx, e.at)}</td><td>${e.staffId ? (emails.get(e.staffId) ?? e.staffId) : '—'}</td><td>${t(`audit.kinds.${e.kind}`)}</td><td>${e.action}</td><td>${link(e.subject)}</td><td>${e.detail ? JSON.stringify(e.detail) : ''}</td></tr>`,
      )}</tbody></table>`;
    return sendPage(reply, page(ctx, t('audit.title'), body));
  });
};
