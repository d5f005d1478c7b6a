import { escapeHtml, trusted, type Html } from './html.js';

/**
 * Charts drawn on the server as inline SVG from numbers: no script, no library, no font to load
 * (the text takes the page's system font through `.chart text`). Each is an image with a title
 * and a description that carries the numbers too, and the page puts the same numbers in a table,
 * so nothing is shown only as a shape or a colour.
 */

/** What a chart is called and says, for screen readers; `id` must be unique in the page. */
export interface ChartText {
  id: string;
  title: string;
  desc: string;
}

/**
 * Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart also by the legend's
 * order, the dash of a line and the shape of its points.
 */
export const palette = ['#0b5cad', '#a4161a', '#1f6f3f', '#7a4100', '#5b3a8c', '#4a5560', '#006d77', '#9c2a6b'] as const;
/** For an ordered 1–4 scale: from "not at all" (red) to "very much" (blue). */
export const scalePalette = ['#a4161a', '#b35806', '#3c7dbf', '#0b3d73'] as const;

const WIDTH = 720;
const LABEL_WIDTH = 280;
const ROW = 26;
const BAR = 16;

const e = escapeHtml;

/** A number as the chart prints it: whole numbers plain, others with one decimal. */
function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Long labels are cut in the drawing; the table beside it has them whole. */
function short(label: string, max = 46): string {
  return [...label].length > max ? `${[...label].slice(0, max - 1).join('')}…` : label;
}

function frame(text: ChartText, height: number, body: string): Html {
  return trusted(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${e(text.id)}-title ${e(text.id)}-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">` +
      `<title id="${e(text.id)}-title">${e(text.title)}</title><desc id="${e(text.id)}-desc">${e(text.desc)}</desc>${body}</svg>`,
  );
}

/** A legend entry: a swatch for bars, or a line sample with its dash and point shape for lines. */
interface Key {
  label: string;
  colour: string;
  line?: { dash: string; shape: number };
}

const keyWidth = (item: Key) => (item.line ? 40 : 28) + Math.min([...item.label].length, 28) * 7;

function legend(items: readonly Key[], y: number): string {
  let x = 0;
  return items
    .map((item) => {
      const swatch = item.line
        ? `<line x1="0" y1="6" x2="24" y2="6" stroke="${item.colour}" stroke-width="2"${item.line.dash ? ` stroke-dasharray="${item.line.dash}"` : ''}/>${marker(item.line.shape, 12, 6, item.colour)}`
        : `<rect width="12" height="12" fill="${item.colour}"/>`;
      const part = `<g transform="translate(${x} ${y})">${swatch}<text x="${item.line ? 30 : 16}" y="10">${e(short(item.label, 28))}</text></g>`;
      x += keyWidth(item);
      return part;
    })
    .join('');
}

/** Wraps the legend onto rows that fit the width; returns the markup and the height used. */
function legendRows(items: readonly Key[], top: number): { svg: string; height: number } {
  const rows: Key[][] = [[]];
  let used = 0;
  for (const item of items) {
    const w = keyWidth(item);
    if (used + w > WIDTH && rows.at(-1)!.length > 0) {
      rows.push([]);
      used = 0;
    }
    rows.at(-1)!.push(item);
    used += w;
  }
  return { svg: rows.map((r, i) => legend(r, top + i * 18)).join(''), height: rows.length * 18 };
}

/** Horizontal bars, one per label, with the value printed after each bar. */
export function barChart(text: ChartText, bars: readonly { label: string; value: number | null }[], options: { max?: number; unit?: string } = {}): Html {
  const max = Math.max(options.max ?? 0, ...bars.map((b) => b.value ?? 0), 1);
  const span = WIDTH - LABEL_WIDTH - 60;
  const height = bars.length * ROW + 8;
  const body = bars
    .map((b, i) => {
      const y = 4 + i * ROW;
      const w = b.value === null ? 0 : Math.max(b.value > 0 ? 1 : 0, Math.round((b.value / max) * span));
      return `<text x="${LABEL_WIDTH - 8}" y="${y + BAR - 3}" text-anchor="end">${e(short(b.label))}</text>` +
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${w}" height="${BAR}" fill="${palette[0]}"/>` +
        `<text x="${LABEL_WIDTH + w + 6}" y="${y + BAR - 3}">${b.value === null ? '–' : `${num(b.value)}${options.unit ?? ''}`}</text>`;
    })
    .join('');
  return frame(text, height, `<line x1="${LABEL_WIDTH}" y1="0" x2="${LABEL_WIDTH}" y2="${height}" stroke="#4a5560"/>${body}`);
}

/**
 * Horizontal bars split into parts (how many chose 1, 2, 3, 4), each bar as long as its total;
 * a legend below names the parts in order.
 */
export function stackedBarChart(
  text: ChartText,
  categories: readonly { label: string; values: readonly number[] }[],
  series: readonly string[],
  colours: readonly string[] = palette,
): Html {
  const max = Math.max(1, ...categories.map((c) => c.values.reduce((a, b) => a + b, 0)));
  const span = WIDTH - LABEL_WIDTH - 60;
  const rowsHeight = categories.length * ROW + 8;
  const key = legendRows(series.map((label, i) => ({ label, colour: colours[i % colours.length]! })), rowsHeight + 6);
  const body = categories
    .map((c, i) => {
      const y = 4 + i * ROW;
      let x = LABEL_WIDTH;
      const parts = c.values
        .map((v, j) => {
          const w = Math.round((v / max) * span);
          // A thin white edge keeps neighbouring parts apart for anyone who cannot tell the colours.
          const part = w > 0 ? `<rect x="${x}" y="${y}" width="${w}" height="${BAR}" fill="${colours[j % colours.length]}" stroke="#ffffff" stroke-width="1"/>` : '';
          x += w;
          return part;
        })
        .join('');
      const total = c.values.reduce((a, b) => a + b, 0);
      return `<text x="${LABEL_WIDTH - 8}" y="${y + BAR - 3}" text-anchor="end">${e(short(c.label))}</text>${parts}<text x="${x + 6}" y="${y + BAR - 3}">${total}</text>`;
    })
    .join('');
  return frame(text, rowsHeight + 10 + key.height, `<line x1="${LABEL_WIDTH}" y1="0" x2="${LABEL_WIDTH}" y2="${rowsHeight}" stroke="#4a5560"/>${body}${key.svg}`);
}

const dashes = ['', '6 3', '2 3', '8 3 2 3'] as const;

function marker(shape: number, x: number, y: number, colour: string): string {
  switch (shape % 4) {
    case 0:
      return `<circle cx="${x}" cy="${y}" r="3.5" fill="${colour}"/>`;
    case 1:
      return `<rect x="${x - 3.5}" y="${y - 3.5}" width="7" height="7" fill="${colour}"/>`;
    case 2:
      return `<path d="M${x} ${y - 4.5}L${x + 4.5} ${y + 3.5}L${x - 4.5} ${y + 3.5}Z" fill="${colour}"/>`;
    default:
      return `<path d="M${x} ${y - 4.5}L${x + 4.5} ${y}L${x} ${y + 4.5}L${x - 4.5} ${y}Z" fill="${colour}"/>`;
  }
}

/**
 * Lines over time (months along the bottom), one per series; a missing value breaks the line.
 * `min`/`max` fix the scale (1 to 4 for a Likert mean); counts start at 0.
 */
export function lineChart(
  text: ChartText,
  xLabels: readonly string[],
  series: readonly { label: string; values: readonly (number | null)[] }[],
  options: { min?: number; max?: number; ticks?: number } = {},
): Html {
  const left = 44;
  const right = 32;
  const top = 10;
  const plot = 180;
  const ticks = options.ticks ?? 4;
  const min = options.min ?? 0;
  // Counts get whole-number gridlines: the top is rounded up to a multiple of the gridlines.
  const max = options.max ?? min + Math.ceil(Math.max(1, ...series.flatMap((s) => s.values.map((v) => (v ?? 0) - min))) / ticks) * ticks;
  const step = xLabels.length > 1 ? (WIDTH - left - right) / (xLabels.length - 1) : 0;
  const xOf = (i: number) => Math.round(left + (xLabels.length > 1 ? i * step : (WIDTH - left - right) / 2));
  const yOf = (v: number) => Math.round(top + plot - ((v - min) / (max - min)) * plot);
  const grid = Array.from({ length: ticks + 1 }, (_, i) => {
    const v = min + ((max - min) * i) / ticks;
    const y = yOf(v);
    return `<line x1="${left}" y1="${y}" x2="${WIDTH - right}" y2="${y}" stroke="#c9d1d9"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${num(Math.round(v * 10) / 10)}</text>`;
  }).join('');
  // Month labels: every one when they fit (about 64 pixels each), else every second, third…
  // counted back from the latest, which is always named.
  const every = Math.max(1, Math.ceil(xLabels.length / Math.floor((WIDTH - left - right) / 64)));
  const xAxis = xLabels
    .map((label, i) => ((xLabels.length - 1 - i) % every === 0 ? `<text x="${xOf(i)}" y="${top + plot + 18}" text-anchor="middle">${e(label)}</text>` : ''))
    .join('');
  const lines = series
    .map((s, k) => {
      const colour = palette[k % palette.length]!;
      const segments: string[] = [];
      let current = '';
      s.values.forEach((v, i) => {
        if (v === null) {
          if (current) segments.push(current);
          current = '';
          return;
        }
        current += `${current ? 'L' : 'M'}${xOf(i)} ${yOf(v)}`;
      });
      if (current) segments.push(current);
      const dash = dashes[k % dashes.length];
      const paths = segments.map((d) => `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`).join('');
      const points = s.values.map((v, i) => (v === null ? '' : marker(k, xOf(i), yOf(v), colour))).join('');
      return paths + points;
    })
    .join('');
  const key = legendRows(series.map((s, k) => ({ label: s.label, colour: palette[k % palette.length]!, line: { dash: dashes[k % dashes.length]!, shape: k } })), top + plot + 32);
  return frame(text, top + plot + 36 + key.height, `${grid}${xAxis}${lines}${key.svg}`);
}

/** "label: value; label: value" for a chart's description: the numbers, for anyone who cannot see it. */
export function describe(pairs: readonly (readonly [string, number | string | null])[]): string {
  return pairs.map(([label, value]) => `${label}: ${value === null ? '–' : typeof value === 'number' ? num(value) : value}`).join('; ');
}
