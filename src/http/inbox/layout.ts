import type { SignedIn } from '../../db/staff.js';
import { html, type Html } from './html.js';
import type { T } from './ui.js';

export interface PageContext {
  t: T;
  locale: string;
  staff: SignedIn | null;
  csrf: string;
  /** The current path, to mark the navigation and come back after a language switch. */
  path: string;
}

const sections = [
  { href: '/inbox', key: 'nav.queue' },
  { href: '/inbox/people', key: 'nav.people' },
  { href: '/inbox/pairs', key: 'nav.pairs' },
  { href: '/inbox/cases', key: 'nav.cases' },
  { href: '/inbox/supervision', key: 'nav.supervision' },
  { href: '/inbox/info-days', key: 'nav.info_days' },
  { href: '/inbox/results', key: 'nav.results' },
] as const;

function current(path: string, href: string): boolean {
  return href === '/inbox' ? path === '/inbox' || path === '/inbox/' : path === href || path.startsWith(`${href}/`);
}

/** A hidden CSRF field for a form. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

/**
 * Every inbox page: a skip link, the navigation, the main region and a live-update hook
 * (`data-live`: what the page watches; `inbox.js` reloads the main region when it changes).
 */
export function page(ctx: PageContext, title: string, body: Html, options: { live?: string } = {}): Html {
  const { t, staff } = ctx;
  const nav = staff
    ? html`<nav aria-label="${t('nav.label')}"><ul>
        ${sections.map((s) => html`<li><a href="${s.href}"${current(ctx.path, s.href) ? html` aria-current="page"` : ''}>${t(s.key)}</a></li>`)}
        ${staff.role === 'admin' ? html`<li><a href="/inbox/audit"${current(ctx.path, '/inbox/audit') ? html` aria-current="page"` : ''}>${t('nav.audit')}</a></li>` : ''}
      </ul></nav>
      <div class="account">
        <span>${staff.email}</span>
        <form method="post" action="/inbox/language">${csrfField(ctx)}<input type="hidden" name="back" value="${ctx.path}">
          <button name="locale" value="${ctx.locale === 'pt' ? 'en' : 'pt'}" lang="${ctx.locale === 'pt' ? 'en' : 'pt'}">${t('nav.switch_language')}</button></form>
        <form method="post" action="/inbox/logout">${csrfField(ctx)}<button>${t('nav.sign_out')}</button></form>
      </div>`
    : '';
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Ponte</title>
<link rel="stylesheet" href="/inbox/assets/inbox.css">
<script src="/inbox/assets/inbox.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t('nav.skip')}</a>
<header><a class="brand" href="/inbox">Ponte</a>${nav}</header>
<main id="main" tabindex="-1"${options.live ? html` data-live="${options.live}"` : ''}>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A short notice after an action (`?done=replied`), announced to screen readers. */
export function notice(ctx: PageContext, done: string | undefined): Html {
  return done ? html`<p class="notice" role="status">${ctx.t(`done.${done}`)}</p>` : html``;
}

export function formatTime(ctx: PageContext, at: Date | number, timeZone?: string): string {
  return new Intl.DateTimeFormat(ctx.locale === 'pt' ? 'pt-PT' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(at);
}

/** A language's name in the inbox's language ("Portuguese", "árabe"); "—" when unknown. */
export function languageName(ctx: PageContext, locale: string | null): string {
  if (!locale) return '—';
  try {
    return new Intl.DisplayNames([ctx.locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}
