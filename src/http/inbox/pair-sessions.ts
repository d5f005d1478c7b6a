import type { Tx } from '../../db/client.js';
import { readConsultation } from '../../db/pairs.js';
import { html, type Html } from './html.js';
import { meetingForm } from './pair-meetings.js';
import { formatTime, type PageContext } from './layout.js';

/**
 * A pair's sessions, newest first: when, how long, where, who proposed it, what became of it,
 * and each side's feedback (whether it happened, the rating, their words, the mentor's note on
 * progress). Two missed in a row are flagged, as the queue does.
 */
export async function pairSessionsSection(ctx: PageContext, tx: Tx, pair: { id: string; status: string; consultation: unknown }): Promise<Html> {
  const pairId = pair.id;
  const { t } = ctx;
  const sessions = await tx.mentoringSession.findMany({ where: { pairId }, orderBy: { startsAt: 'desc' }, take: 100, include: { feedback: true } });
  const lastTwo = sessions.filter((s) => s.status === 'held' || s.status === 'missed').slice(0, 2);
  const missedTwice = lastTwo.length === 2 && lastTwo.every((s) => s.status === 'missed');
  const feedback = (s: (typeof sessions)[number], side: 'mentee' | 'mentor') => {
    const f = s.feedback.find((x) => x.side === side);
    if (!f) return html`—`;
    return html`${t(f.happened ? 'sessions.happened' : 'sessions.not_happened')}${f.rating ? html` · ${f.rating}/4` : ''}${f.comment ? html`<br>“${f.comment}”` : ''}${
      f.progress ? html`<br>${t('sessions.progress')}: “${f.progress}”` : ''
    }`;
  };
  const consultation = readConsultation(pair.consultation);
  const rules = (side: 'mentee' | 'mentor') => (consultation.rules?.[side] ? t('meeting.rules_agreed', { at: formatTime(ctx, new Date(consultation.rules[side]!)) }) : t('meeting.rules_waiting'));
  const informal = (side: 'mentee' | 'mentor') => consultation.informal?.[side]?.answer;
  return html`<section aria-labelledby="pair-sessions"><h2 id="pair-sessions">${t('sessions.title')}</h2>
    ${consultation.informal ? html`<p>${t('meeting.after_informal')}: ${t('role.mentee')} ${informal('mentee') ? t(`common.${informal('mentee')}`) : '—'} · ${t('role.mentor')} ${informal('mentor') ? t(`common.${informal('mentor')}`) : '—'}</p>` : ''}
    ${pair.status === 'active' || pair.status === 'paused' ? html`<p>${t('meeting.rules')}: ${t('role.mentee')} ${rules('mentee')} · ${t('role.mentor')} ${rules('mentor')}</p>` : ''}
    ${missedTwice ? html`<p class="error">${t('sessions.missed_twice')}</p>` : ''}
    ${sessions.length === 0
      ? html`<p>${t('sessions.none')}</p>`
      : html`<table class="list"><thead><tr><th scope="col">${t('sessions.when')}</th><th scope="col">${t('sessions.where')}</th><th scope="col">${t('sessions.proposed_by')}</th><th scope="col">${t('sessions.status')}</th>
          <th scope="col">${t('role.mentee')}</th><th scope="col">${t('role.mentor')}</th></tr></thead>
        <tbody>${sessions.map(
          (s) => html`<tr><td>${formatTime(ctx, s.startsAt)} · ${s.minutes} min</td><td>${s.mode === 'online' ? t('sessions.online') : (s.place ?? '—')}</td>
            <td>${t(`role.${s.proposedBy}`)}</td><td>${t(`sessions.statuses.${s.status}`)}</td><td>${feedback(s, 'mentee')}</td><td>${feedback(s, 'mentor')}</td></tr>`,
        )}</tbody></table>`}
    ${meetingForm(ctx, pair)}
  </section>`;
}
