import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../../db/audit.js';
import {
  buildResultTable,
  daysToMatch,
  isResultTableId,
  loadResultData,
  median,
  resultTableIds,
  type Cell,
  type Column,
  type ResultData,
  type ResultTable,
  type ResultTableId,
} from '../../db/results.js';
import { NotFound, type Scope } from '../../db/scope.js';
import { barChart, describe, lineChart, scalePalette, stackedBarChart } from './charts.js';
import { html, type Html } from './html.js';
import { pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { formatTime, page, type PageContext } from './layout.js';
import { toLocalInput } from './info-days.js';

/*
 * Results: the programme's figures per organisation (an admin may pick one, or see them all), as
 * charts with their numbers in a table beside them, and each table as a CSV download.
 */

/** Which organisation the figures are for, and the time zone months are counted in. */
interface Choice {
  organisation: { id: string; slug: string; name: string; timezone: string } | null;
  /** The `?org=` to carry into links. */
  query: string;
  timeZone: string;
}

async function choiceOf(req: FastifyRequest, deps: InboxDeps, scope: Scope): Promise<Choice> {
  const prisma = deps.db.prisma;
  const select = { id: true, slug: true, name: true, timezone: true } as const;
  if (scope.role !== 'admin') {
    // A coordinator's figures are always their organisation's, whatever the address asks.
    const own = scope.organisationId ? await prisma.organisation.findUnique({ where: { id: scope.organisationId }, select }) : null;
    return { organisation: own, query: '', timeZone: own?.timezone ?? deps.config.programmeTimezone };
  }
  const slug = z.object({ org: z.string().max(64).optional() }).safeParse(req.query ?? {}).data?.org;
  if (!slug) return { organisation: null, query: '', timeZone: deps.config.programmeTimezone };
  const organisation = await prisma.organisation.findUnique({ where: { slug }, select });
  if (!organisation) throw new NotFound('organisation');
  return { organisation, query: `?org=${encodeURIComponent(slug)}`, timeZone: organisation.timezone };
}

// --- Reading a table: labels and numbers, for the page and for the CSV -----------------------------

/** A statement of the self-assessment as the bot asks it, in the staff member's language. */
function questionText(ctx: PageContext, deps: InboxDeps, code: string): string {
  const [role, q] = code.split('.') as [string, string | undefined];
  const number = q?.replace(/^q/, '') ?? '';
  const text = deps.translator.has(ctx.locale, `assessment:${code}`) ? deps.translator.t(ctx.locale, `assessment:${code}`) : code;
  return `${ctx.t('results:question_short', { role: ctx.t(`role.${role}`), number })}: ${text}`;
}

function shortQuestion(ctx: PageContext, code: string): string {
  const [role, q] = code.split('.') as [string, string | undefined];
  return ctx.t('results:question_short', { role: ctx.t(`role.${role}`), number: q?.replace(/^q/, '') ?? '' });
}

/** The words for a code in a `label` column. */
function labelOf(ctx: PageContext, deps: InboxDeps, column: string, code: string): string {
  const { t } = ctx;
  switch (column) {
    case 'question':
      return questionText(ctx, deps, code);
    case 'item_kind':
      return t(`kind.${code}`);
    case 'severity':
      return code === 'untriaged' ? t('results:untriaged') : t(`severity.${code}`);
    default:
      return t(`results:values.${column}.${code}`);
  }
}

function monthLabel(ctx: PageContext, month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(ctx.locale === 'pt' ? 'pt-PT' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 15));
}

function numberFormat(ctx: PageContext, digits: number): Intl.NumberFormat {
  return new Intl.NumberFormat(ctx.locale === 'pt' ? 'pt-PT' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A cell as the page shows it. */
function shown(ctx: PageContext, deps: InboxDeps, choice: Choice, column: Column, cell: Cell): string {
  if (cell === null) return '—';
  switch (column.kind) {
    case 'label':
      return labelOf(ctx, deps, column.key, String(cell));
    case 'month':
      return monthLabel(ctx, String(cell));
    case 'date':
      return formatTime(ctx, new Date(String(cell)), choice.timeZone);
    case 'percent':
      return `${numberFormat(ctx, 1).format(Number(cell))} %`;
    case 'mean':
      return numberFormat(ctx, 2).format(Number(cell));
    case 'days':
    case 'hours':
      return numberFormat(ctx, 1).format(Number(cell));
    default:
      return String(cell);
  }
}

/**
 * A cell as the CSV holds it: plain numbers with a decimal point, ISO months and local times, and
 * labels in the staff member's language. Someone's own words that a spreadsheet would run as a
 * formula (=, +, -, @ first) get a leading apostrophe (OWASP's advice on CSV injection).
 */
function exported(ctx: PageContext, deps: InboxDeps, choice: Choice, column: Column, cell: Cell): string {
  if (cell === null) return '';
  switch (column.kind) {
    case 'label':
      return labelOf(ctx, deps, column.key, String(cell));
    case 'date':
      return toLocalInput(new Date(String(cell)), choice.timeZone).replace('T', ' ');
    case 'text': {
      const text = String(cell);
      return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    }
    default:
      return String(cell);
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A column's heading: a statement's mean is named by the statement. */
function heading(ctx: PageContext, column: Column): string {
  return column.key.startsWith('mean:') ? ctx.t('results:mean_of', { statement: shortQuestion(ctx, column.key.slice('mean:'.length)) }) : ctx.t(`results:col.${column.key}`);
}

function toCsv(ctx: PageContext, deps: InboxDeps, choice: Choice, table: ResultTable): string {
  const lines = [table.columns.map((c) => heading(ctx, c)), ...table.rows.map((row) => row.map((cell, i) => exported(ctx, deps, choice, table.columns[i]!, cell)))];
  // The byte-order mark makes spreadsheet programs read the file as UTF-8 (accents, other scripts).
  return `\uFEFF${lines.map((cells) => cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function tableHtml(ctx: PageContext, deps: InboxDeps, choice: Choice, table: ResultTable): Html {
  const { t } = ctx;
  if (table.rows.length === 0) return html``;
  return html`<table class="list"><caption class="hint">${t(`results:caption.${table.id}`)}</caption>
    <thead><tr>${table.columns.map((c) => html`<th scope="col">${heading(ctx, c)}</th>`)}</tr></thead>
    <tbody>${table.rows.map(
      (row) => html`<tr>${row.map((cell, i) => (i === 0 ? html`<th scope="row">${shown(ctx, deps, choice, table.columns[0]!, cell)}</th>` : html`<td>${shown(ctx, deps, choice, table.columns[i]!, cell)}</td>`))}</tr>`,
    )}</tbody></table>`;
}

// --- Charts, from the same tables ------------------------------------------------------------------

const col = (table: ResultTable, key: string) => table.columns.findIndex((c) => c.key === key);
const num = (cell: Cell | undefined): number => (typeof cell === 'number' ? cell : 0);

/** Whether a table holds anything but zeros: a chart of nothing is left out (the table says so). */
function hasFigures(table: ResultTable): boolean {
  return table.rows.some((row) => row.some((cell, i) => typeof cell === 'number' && cell > 0 && table.columns[i]!.kind !== 'text'));
}

function chartFor(ctx: PageContext, deps: InboxDeps, choice: Choice, table: ResultTable, monthly: ResultTable): Html {
  const { t } = ctx;
  const title = t(`results:section.${table.id}`);
  const label = (row: Cell[]) => shown(ctx, deps, choice, table.columns[0]!, row[0] ?? null);
  const bars = (valueKey: string) => table.rows.map((row) => ({ label: label(row), value: row[col(table, valueKey)] as number | null }));
  const simple = (valueKey: string, options: { max?: number; unit?: string } = {}) => {
    const data = bars(valueKey);
    return barChart({ id: `chart-${table.id}`, title, desc: describe(data.map((b) => [b.label, b.value] as const)) }, data, options);
  };
  switch (table.id) {
    case 'response-rates':
      return simple('rate', { max: 100, unit: ' %' });
    case 'pairs':
    case 'time-to-match':
      return simple('pairs');
    case 'inbox-items':
      return simple('opened');
    case 'info-days': {
      const data = table.rows.slice(0, 12).map((row) => ({ label: `${String(row[0])} · ${shown(ctx, deps, choice, table.columns[1]!, row[1] ?? null)}`, value: num(row[col(table, 'signed_up')]) }));
      return barChart({ id: 'chart-info-days', title, desc: describe(data.map((b) => [b.label, b.value] as const)) }, data);
    }
    case 'sessions': {
      const keys = ['held', 'missed', 'cancelled'];
      const months = table.rows.map((r) => monthLabel(ctx, String(r[0])));
      const series = keys.map((k) => ({ label: t(`results:col.${k}`), values: table.rows.map((r) => num(r[col(table, k)])) }));
      const desc = series.map((s) => `${s.label}: ${s.values.map((v, i) => `${months[i]} ${v}`).join(', ')}`).join('; ');
      return lineChart({ id: 'chart-sessions', title, desc }, months, series);
    }
    case 'feedback': {
      const answers = ['answer_1', 'answer_2', 'answer_3', 'answer_4'].map((k) => col(table, k));
      const categories = table.rows.map((row) => ({ label: label(row), values: answers.map((i) => num(row[i])) }));
      const scale = [1, 2, 3, 4].map((n) => t(`results:col.answer_${n}`));
      const desc = categories.map((c) => `${c.label}: ${c.values.map((v, i) => `${scale[i]} ${v}`).join(', ')}`).join('; ');
      return stackedBarChart({ id: 'chart-feedback', title, desc }, categories, scale, scalePalette);
    }
    case 'likert': {
      const several = new Set(table.rows.map((r) => r[0])).size > 1;
      const answers = ['answer_1', 'answer_2', 'answer_3', 'answer_4'].map((k) => col(table, k));
      const categories = table.rows.map((row) => ({
        label: `${shortQuestion(ctx, String(row[1]))}${several ? ` (${shown(ctx, deps, choice, table.columns[0]!, row[0] ?? null)})` : ''}`,
        values: answers.map((i) => num(row[i])),
      }));
      const scale = [1, 2, 3, 4].map((n) => deps.translator.t(ctx.locale, `assessment:scale.${n}`));
      const desc = categories.map((c) => `${c.label}: ${c.values.map((v, i) => `${scale[i]} ${v}`).join(', ')}`).join('; ');
      return stackedBarChart({ id: 'chart-likert', title, desc }, categories, scale, scalePalette);
    }
    case 'likert-monthly': {
      // One chart per role, months as in the activity table (gaps included), a line per statement.
      const months = monthly.rows.map((r) => String(r[0]));
      const baseline = table.rows.filter((r) => r[1] === 'baseline');
      const charts = ['mentee', 'mentor'].flatMap((role) => {
        const questions = table.columns.filter((c) => c.key.startsWith(`mean:${role}.`));
        if (questions.length === 0) return [];
        const series = questions.map((q) => ({
          label: shortQuestion(ctx, q.key.slice('mean:'.length)),
          values: months.map((m) => {
            const row = baseline.find((r) => r[0] === m);
            return (row?.[col(table, q.key)] as number | null | undefined) ?? null;
          }),
        }));
        const roleTitle = t(`results:likert_over_time.${role}`);
        const desc = series.map((s) => `${s.label}: ${s.values.map((v, i) => (v === null ? null : `${monthLabel(ctx, months[i]!)} ${numberFormat(ctx, 2).format(v)}`)).filter(Boolean).join(', ')}`).join('; ');
        return [lineChart({ id: `chart-likert-${role}`, title: roleTitle, desc }, months.map((m) => monthLabel(ctx, m)), series, { min: 1, max: 4, ticks: 3 })];
      });
      return html`${charts}`;
    }
    case 'monthly': {
      const keys = ['registrations', 'baseline_assessments', 'pairs_confirmed', 'info_day_signups'];
      const months = table.rows.map((r) => monthLabel(ctx, String(r[0])));
      const series = keys.map((k) => ({ label: t(`results:col.${k}`), values: table.rows.map((r) => num(r[col(table, k)])) }));
      const desc = series.map((s) => `${s.label}: ${s.values.map((v, i) => `${months[i]} ${v}`).join(', ')}`).join('; ');
      return lineChart({ id: 'chart-monthly', title, desc }, months, series);
    }
    case 'cases': {
      const statuses = table.columns.slice(1, -1);
      const categories = table.rows.map((row) => ({ label: label(row), values: statuses.map((_, i) => num(row[i + 1])) }));
      const series = statuses.map((c) => t(`results:col.${c.key}`));
      const desc = categories.map((c) => `${c.label}: ${c.values.map((v, i) => `${series[i]} ${v}`).join(', ')}`).join('; ');
      return stackedBarChart({ id: 'chart-cases', title, desc }, categories, series);
    }
    default:
      return html``;
  }
}

/** Facts above a table that a chart does not show: how long matching took, how many pairs are active. */
function factsFor(ctx: PageContext, data: ResultData, table: ResultTable): Html {
  const { t } = ctx;
  const f = (n: number | null) => (n === null ? '—' : numberFormat(ctx, 1).format(n));
  if (table.id === 'time-to-match') {
    const days = daysToMatch(data);
    const mean = days.length ? days.reduce((a, b) => a + b, 0) / days.length : null;
    return html`<dl class="facts"><dt>${t('results:facts.matched')}</dt><dd>${String(days.length)}</dd>
      <dt>${t('results:facts.median_days')}</dt><dd>${f(median(days))}</dd><dt>${t('results:facts.mean_days')}</dt><dd>${f(mean)}</dd></dl>`;
  }
  if (table.id === 'pairs') {
    const active = table.rows.find((r) => r[0] === 'active');
    return html`<dl class="facts"><dt>${t('results:facts.active_pairs')}</dt><dd>${String(num(active?.[1]))}</dd></dl>`;
  }
  return html``;
}

function section(ctx: PageContext, deps: InboxDeps, choice: Choice, data: ResultData, table: ResultTable, monthly: ResultTable): Html {
  const { t } = ctx;
  return html`<section aria-labelledby="r-${table.id}"><h2 id="r-${table.id}">${t(`results:section.${table.id}`)}</h2>
    <p class="hint">${t(`results:lead.${table.id}`)}</p>
    ${factsFor(ctx, data, table)}
    ${hasFigures(table) ? chartFor(ctx, deps, choice, table, monthly) : html`<p>${t('results:no_data')}</p>`}
    ${tableHtml(ctx, deps, choice, table)}
    <p><a href="/inbox/results/${table.id}.csv${choice.query}" download>${t('results:download_csv', { table: t(`results:section.${table.id}`) })}</a></p>
  </section>`;
}

/** Results: GET /inbox/results (the page) and GET /inbox/results/<table>.csv (one table). */
export const resultRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;

  app.get('/inbox/results', async (req, reply) => {
    const scope = staffOf(req);
    const choice = await choiceOf(req, deps, scope);
    const ctx = pageContext(req, reply, deps);
    const { t } = ctx;
    const data = await loadResultData(prisma, scope, { ...(choice.organisation ? { organisationId: choice.organisation.id } : {}), timeZone: choice.timeZone, now: new Date() });
    const tables = new Map(resultTableIds.map((id) => [id, buildResultTable(data, id)] as const));
    const monthly = tables.get('monthly')!;
    const picker =
      scope.role === 'admin'
        ? html`<form method="get" action="/inbox/results" class="filters">
            <label for="r-org">${t('results:organisation')}</label>
            <select id="r-org" name="org"><option value="">${t('results:all_organisations')}</option>
              ${(await prisma.organisation.findMany({ orderBy: { name: 'asc' }, select: { slug: true, name: true } })).map(
                (o) => html`<option value="${o.slug}"${choice.organisation?.slug === o.slug ? html` selected` : ''}>${o.name}</option>`,
              )}</select>
            <button type="submit">${t('results:show')}</button>
          </form>`
        : '';
    const show = (id: ResultTableId) => section(ctx, deps, choice, data, tables.get(id)!, monthly);
    const body = html`${picker}
      <p class="lead">${choice.organisation ? t('results:lead_org', { organisation: choice.organisation.name, timezone: choice.timeZone }) : t('results:lead_all', { timezone: choice.timeZone })}</p>
      ${resultTableIds.map(show)}`;
    return sendPage(reply, page(ctx, t('results:title'), body));
  });

  app.get('/inbox/results/:file', async (req, reply) => {
    const scope = staffOf(req);
    const file = z.object({ file: z.string().max(64) }).safeParse(req.params);
    const id = /^([a-z-]+)\.csv$/.exec(file.data?.file ?? '')?.[1];
    if (!id || !isResultTableId(id)) throw new NotFound('results table');
    const choice = await choiceOf(req, deps, scope);
    const ctx = pageContext(req, reply, deps);
    const data = await loadResultData(prisma, scope, { ...(choice.organisation ? { organisationId: choice.organisation.id } : {}), timeZone: choice.timeZone, now: new Date() });
    const csv = toCsv(ctx, deps, choice, buildResultTable(data, id));
    const which = choice.organisation?.slug ?? 'all';
    await audit(prisma, scope, { kind: 'view', action: 'results.export', subject: `results:${id}`, detail: { organisation: which } });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="ponte-${id}-${which}-${new Date().toISOString().slice(0, 10)}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
};
