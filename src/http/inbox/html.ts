/**
 * Escaping HTML templates: every value put into `html`…`` is escaped unless it is itself Html,
 * so a person's words or a name can never become markup. Type-checked like the rest of the code.
 */
const HTML = Symbol('html');

export interface Html {
  readonly [HTML]: string;
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

function piece(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(piece).join('');
  if (typeof value === 'object') return (value as Html)[HTML];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i += 1) out += piece(values[i]) + strings[i + 1]!;
  return { [HTML]: out };
}

/** Markup we wrote ourselves (an SVG chart built from numbers, say). Never for outside text. */
export function trusted(markup: string): Html {
  return { [HTML]: markup };
}

export function toString(page: Html): string {
  return page[HTML];
}
