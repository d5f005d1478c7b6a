import type { z } from 'zod';
import { languageName } from '../../core/consultation.js';
import { criteria, type Criterion, type Exclusion, type RankedMentor } from '../../core/matching.js';
import { ageRanges, MentorRegistration, Needs, Registration, type MenteeRegistration } from '../../core/registration.js';
import type { Person } from '../../db/generated/sqlite/client.js';
import { nameOf } from '../../db/inbox.js';
import { rankMentorsFor } from '../../db/matching.js';
import { mentorsBeingAsked, openPairStatuses, pairsOf } from '../../db/pairs.js';
import type { Scope } from '../../db/scope.js';
import { html, type Html } from './html.js';
import type { InboxDeps } from './index.js';
import { csrfField, formatTime, type PageContext } from './layout.js';
import { answersSummary, decimal, pairPersonLabel, scoreText, statusBadge } from './pairs.js';
import { personLabel } from './queue.js';

type Mentee = z.infer<typeof MenteeRegistration>;
type Mentor = z.infer<typeof MentorRegistration>;

const shared = <T extends string>(a: readonly T[], b: readonly string[]) => a.filter((x) => b.includes(x));

/** Points as a coordinator reads them: "12.5 of 25", at most one decimal. */
function points(ctx: PageContext, value: number, max: number): string {
  return ctx.t('pairs:points', { points: decimal(ctx).format(value), max });
}

/**
 * Why a criterion gave the points it gave, in words and with the facts behind it (which
 * languages, which needs), so a coordinator can weigh the suggestion rather than trust it.
 */
function explain(ctx: PageContext, criterion: Criterion, value: number, mentee: Mentee, needs: readonly string[], mentor: Mentor): string {
  const { t } = ctx;
  const list = (items: readonly string[]) => items.join(', ');
  switch (criterion) {
    case 'languages': {
      const both = shared(mentee.languages, mentor.languages).filter((l) => l !== 'other');
      return both.length > 0 ? t('pairs:explain.languages', { list: list(both.map((l) => languageName(l, ctx.locale))) }) : t('pairs:explain.languages_none');
    }
    case 'needs': {
      if (needs.length === 0) return t('pairs:explain.needs_unknown');
      const covered = shared(needs, mentor.expertise);
      const names = (areas: readonly string[]) => list(areas.map((a) => t(`area.${a}`)));
      return covered.length > 0
        ? t('pairs:explain.needs', { list: names(covered), covered: covered.length, total: needs.length })
        : t('pairs:explain.needs_none', { list: names(needs) });
    }
    case 'availability': {
      const both = shared(mentee.contactTimes, mentor.contactTimes);
      return both.length > 0 ? t('pairs:explain.availability', { list: list(both.map((c) => t(`time.${c}`))) }) : t('pairs:explain.availability_none');
    }
    case 'area':
      return t(value > 0 ? 'pairs:explain.area_same' : 'pairs:explain.area_different', { area: mentor.area });
    case 'age': {
      const gap = Math.abs(ageRanges.indexOf(mentee.ageRange) - ageRanges.indexOf(mentor.ageRange));
      const ages = { mentee: t(`age.${mentee.ageRange}`), mentor: t(`age.${mentor.ageRange}`) };
      return t(gap === 0 ? 'pairs:explain.age_same' : gap <= 2 ? 'pairs:explain.age_close' : 'pairs:explain.age_far', ages);
    }
    case 'background':
      return t(value > 0 ? 'pairs:explain.background_yes' : 'pairs:explain.background_no');
    case 'capacity':
      // A ranked mentor always has room (the rules leave out the full ones): full points mean two or more places.
      return t(value >= criteria.capacity ? 'pairs:explain.capacity_more' : 'pairs:explain.capacity_single');
  }
}

function breakdown(ctx: PageContext, ranked: RankedMentor, mentee: Mentee, needs: readonly string[], mentor: Mentor): Html {
  return html`<dl class="facts">${(Object.keys(criteria) as Criterion[]).map(
    (c) => html`<dt>${ctx.t(`pairs:criterion.${c}`)} · ${points(ctx, ranked.breakdown[c], criteria[c])}</dt><dd>${explain(ctx, c, ranked.breakdown[c], mentee, needs, mentor)}</dd>`,
  )}</dl>`;
}

/** The ranked candidates for a mentee without an open pair, each with its breakdown and a Propose button. */
async function candidates(ctx: PageContext, deps: InboxDeps, person: Person, mentee: Mentee, mode: string): Promise<Html | undefined> {
  const { t } = ctx;
  const prisma = deps.db.prisma;
  const ranking = await rankMentorsFor(prisma, person.id);
  if (!ranking) return undefined;
  const needs = Needs.safeParse(person.needs).data?.areas ?? [];
  const ids = [...ranking.ranked, ...ranking.excluded].map((r) => r.personId);
  const [mentors, busy] = await Promise.all([
    prisma.person.findMany({ where: { id: { in: ids } }, select: { id: true, registration: true, channel: true } }),
    mentorsBeingAsked(prisma, ranking.ranked.map((r) => r.personId)),
  ]);
  const byId = new Map(mentors.map((m) => [m.id, m]));
  const label = (id: string) => {
    const m = byId.get(id);
    return m ? personLabel(ctx, { name: nameOf(m.registration), channel: m.channel }) : id;
  };
  const minor = ranking.excluded.some((e) => e.reasons.includes('minor_unsupervised'));
  const quiet = mode === 'handover' ? html`<p class="hint">${t('pairs:matching.quiet')}</p>` : mode === 'stopped' ? html`<p class="hint">${t('pairs:matching.stopped')}</p>` : '';
  const rows = ranking.ranked.flatMap((r, i) => {
    const mentor = MentorRegistration.safeParse(byId.get(r.personId)?.registration);
    if (!mentor.success) return [];
    const name = label(r.personId);
    return [
      html`<tr>
        <td>${i + 1}</td>
        <th scope="row"><a href="/inbox/people/${r.personId}">${name}</a></th>
        <td>${scoreText(ctx, r.score)}</td>
        <td>${breakdown(ctx, r, mentee, needs, mentor.data)}</td>
        <td>${busy.has(r.personId)
          ? html`<span class="status">${t('pairs:matching.busy')}</span>`
          : html`<form method="post" action="/inbox/people/${person.id}/propose">${csrfField(ctx)}<input type="hidden" name="mentorId" value="${r.personId}"><button type="submit">${t('pairs:matching.propose', { name })}</button></form>`}</td>
      </tr>`,
    ];
  });
  const excluded = ranking.excluded.filter((e) => !e.reasons.includes('minor_unsupervised'));
  return html`<h3>${t('pairs:matching.candidates')}</h3>
    ${minor
      ? html`<p>${t('pairs:matching.minor')}</p>`
      : html`<p class="lead">${t('pairs:matching.candidates_lead')}</p>${quiet}
        ${rows.length === 0
          ? html`<p>${t('pairs:matching.none')}</p>`
          : html`<table class="list"><thead><tr><th scope="col">${t('pairs:matching.rank')}</th><th scope="col">${t('pairs:col.mentor')}</th><th scope="col">${t('pairs:col.score')}</th>
              <th scope="col">${t('pairs:matching.why')}</th><th scope="col">${t('pairs:matching.action')}</th></tr></thead><tbody>${rows}</tbody></table>`}
        ${excluded.length > 0
          ? html`<details><summary>${t('pairs:matching.excluded', { count: excluded.length })}</summary><ul>${excluded.map(
              (e) => html`<li>${label(e.personId)}: ${e.reasons.map((reason: Exclusion) => t(`pairs:exclusion.${reason}`)).join('; ')}</li>`,
            )}</ul></details>`
          : ''}`}`;
}

/** A person's pairs, newest first, with the other person, the status and the answers so far. */
function pairsTable(ctx: PageContext, personId: string, pairs: Awaited<ReturnType<typeof pairsOf>>): Html {
  const { t } = ctx;
  return html`<h3>${t('pairs:matching.pairs')}</h3>
    <table class="list"><thead><tr><th scope="col">${t('pairs:col.with')}</th><th scope="col">${t('pairs:col.role')}</th><th scope="col">${t('pairs:col.status')}</th>
      <th scope="col">${t('pairs:col.answers')}</th><th scope="col">${t('pairs:col.proposed')}</th><th scope="col">${t('pairs:col.pair')}</th></tr></thead>
    <tbody>${pairs.map((p) => {
      const other = p.menteeId === personId ? p.mentor : p.mentee;
      const role = p.menteeId === personId ? 'mentor' : 'mentee';
      return html`<tr><td><a href="/inbox/people/${other.id}">${pairPersonLabel(ctx, other)}</a></td><td>${t(`role.${role}`)}</td>
        <td>${statusBadge(ctx, p.status)}</td><td>${answersSummary(ctx, p.status, p.consultation)}</td><td>${formatTime(ctx, p.createdAt)}</td>
        <td><a href="/inbox/pairs/${p.id}">${t('pairs:open_pair')}</a></td></tr>`;
    })}</tbody></table>`;
}

/** A person's pairs and, for a mentee without one, the ranked mentor candidates. */
export async function matchingSection(ctx: PageContext, deps: InboxDeps, scope: Scope, person: Person): Promise<Html> {
  const prisma = deps.db.prisma;
  const registration = Registration.safeParse(person.registration).data;
  const pairs = await pairsOf(prisma, scope, person.id);
  const open = pairs.some((p) => p.menteeId === person.id && (openPairStatuses as readonly string[]).includes(p.status));
  let choose: Html | undefined;
  if (registration?.role === 'mentee' && person.consent === 'granted' && !open) {
    const conversation = await prisma.conversation.findUnique({ where: { personId: person.id }, select: { mode: true } });
    choose = await candidates(ctx, deps, person, registration, conversation?.mode ?? 'bot');
  }
  if (pairs.length === 0 && !choose) return html``;
  return html`<section aria-labelledby="matching"><h2 id="matching">${ctx.t('pairs:matching.title')}</h2>
    ${pairs.length > 0 ? pairsTable(ctx, person.id, pairs) : ''}
    ${choose}
  </section>`;
}
