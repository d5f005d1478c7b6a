import type { FastifyPluginAsync } from 'fastify';
import { queueFor, type QueueEntry } from '../../db/inbox.js';
import { html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { formatTime, notice, page, type PageContext } from './layout.js';

export function personLabel(ctx: PageContext, person: { name: string | null; channel: string }): string {
  return person.name ?? ctx.t('people.unnamed', { channel: ctx.t(`channel.${person.channel}`) });
}

function entry(ctx: PageContext, e: QueueEntry) {
  const { t } = ctx;
  const href = e.case ? `/inbox/cases/${e.case.id}` : `/inbox/people/${e.person!.id}`;
  const who = e.case ? t('queue.case_ref', { reference: e.case.reference }) : personLabel(ctx, e.person!);
  const badges = html`${e.urgent ? html`<span class="badge urgent">${t('badge.urgent')}</span>` : ''}${
    e.overdue ? html`<span class="badge overdue">${t('badge.overdue')}</span>` : ''
  }${e.dueSoon ? html`<span class="badge overdue">${t('badge.due_soon')}</span>` : ''}${e.case?.severity ? html`<span class="badge">${t(`severity.${e.case.severity}`)}</span>` : ''}`;
  return html`<li class="entry${e.urgent ? ' is-urgent' : ''}">
    <a href="${href}"><strong>${t(`kind.${e.kind}`)}</strong> · ${who}</a>
    ${badges}
    <span class="meta">${e.person ? html`${t(`channel.${e.person.channel}`)} · ` : ''}${formatTime(ctx, e.at)}${
      e.case?.dueAt ? html` · ${t('queue.due', { at: formatTime(ctx, e.case.dueAt) })}` : ''
    }</span>
  </li>`;
}

/** The queue: everything that needs a human, urgent first; it updates itself while open. */
export const queueRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  app.get('/inbox', async (req, reply) => {
    const scope = staffOf(req);
    const ctx = pageContext(req, reply, deps);
    const entries = await queueFor(deps.db.prisma, scope, Date.now());
    const body = html`${notice(ctx, (req.query as { done?: string }).done)}
      <p class="lead">${ctx.t('queue.lead', { count: entries.length })}</p>
      ${entries.length === 0 ? html`<p>${ctx.t('queue.empty')}</p>` : html`<ol class="queue">${entries.map((e) => entry(ctx, e))}</ol>`}`;
    return sendPage(reply, page(ctx, ctx.t('queue.title'), body, { live: 'queue' }));
  });
};
