import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import type { MediaFetcher } from '../../channels/types.js';
import type { Config } from '../../config.js';
import type { Translator } from '../../core/i18n.js';
import type { Db } from '../../db/client.js';
import type { GroupCommitter } from '../../db/group-commit.js';
import { readSession, type SignedIn } from '../../db/staff.js';
import type { Ingest } from '../../inbound/ingest.js';
import type { Logger } from '../../log.js';
import { projectPath } from '../../paths.js';
import { accountRoutes } from './account.js';
import { html, toString, type Html } from './html.js';
import { page, type PageContext } from './layout.js';
import { liveRoutes, type Live } from './live.js';
import { queueRoutes } from './queue.js';
import { peopleRoutes } from './people.js';
import { pairRoutes } from './pairs.js';
import { meetingRoutes } from './pair-meetings.js';
import { supervisionRoutes } from './supervision.js';
import { caseRoutes } from './cases.js';
import { infoDayRoutes } from './info-days.js';
import { resultRoutes } from './results.js';
import { auditRoutes } from './audit.js';
import { bind, localeFromHeader } from './ui.js';

export const SESSION_COOKIE = 'ponte_session';

/** What the inbox's pages are given. */
export interface InboxDeps {
  config: Config;
  db: Db;
  committer: GroupCommitter;
  /** The bot's translator (all languages): prepared messages to people go out in theirs. */
  translator: Translator;
  /** The inbox's own words (English and Portuguese). */
  ui: Translator;
  ingest: Ingest;
  live: Live;
  log: Logger;
  /** Wakes the outbox after a reply was queued. */
  onOutbound(): void;
  /** Per channel, how to download what a person sent. */
  media: ReadonlyMap<string, MediaFetcher>;
  /** The signing secret for cookies (SESSION_SECRET or the stored generated one). */
  sessionSecret: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: SignedIn | null;
  }
}

const assetsDir = projectPath('src', 'http', 'inbox', 'assets');

/** Pages that answer without a session. */
const publicPaths = new Set(['/inbox/login']);

/** The signed-in staff member of a request; the auth hook has already refused the request without one. */
export function staffOf(req: FastifyRequest): SignedIn {
  if (!req.staff) throw Object.assign(new Error('not signed in'), { statusCode: 401 });
  return req.staff;
}

/** What a page needs to render: the words in the staff member's language and a CSRF token. */
export function pageContext(req: FastifyRequest, reply: FastifyReply, deps: InboxDeps): PageContext {
  const locale = req.staff?.locale ?? localeFromHeader(req.headers['accept-language']);
  return { t: bind(deps.ui, locale), locale, staff: req.staff, csrf: reply.generateCsrf(), path: req.url.split('?')[0]! };
}

export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(toString(page));
}

/**
 * The coordinator inbox: one encapsulated plugin, so its cookies, CSRF checks, security headers
 * and sign-in requirement apply to its routes and to nothing else (the webhooks keep theirs).
 */
export const inbox: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  await app.register(fastifyCookie, { secret: deps.sessionSecret });
  await app.register(fastifyFormbody);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // Behind https (PUBLIC_URL), browsers should never come back over plain http.
    hsts: deps.config.publicUrl?.startsWith('https://') ? { maxAge: 180 * 24 * 3600 } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'ponte_csrf',
    cookieOpts: { path: '/inbox', httpOnly: true, sameSite: 'strict', signed: true, secure: 'auto' },
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, { root: assetsDir, prefix: '/inbox/assets/', decorateReply: false, maxAge: '1h' });

  // A person in a browser gets a page, a script gets JSON; neither gets internals.
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    if (err instanceof ZodError) err = { statusCode: 400, code: 'BAD_REQUEST', message: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, method: req.method, path: req.url.split('?')[0] }, 'inbox request failed');
    const reason = status === 404 ? 'not_found' : status === 403 ? 'forbidden' : status >= 500 ? 'failed' : 'bad_request';
    if (!req.headers.accept?.includes('text/html')) {
      return reply.code(status).send({ error: err.code ?? reason.toUpperCase(), message: status >= 500 ? 'Internal Server Error' : err.message });
    }
    const ctx = pageContext(req, reply, deps);
    return sendPage(reply, page(ctx, ctx.t(`error.${reason}`), html`<p>${ctx.t(`error.${reason}_text`)}</p>${status === 400 ? html`<p class="error">${err.message}</p>` : ''}<p><a href="/inbox">${ctx.t('error.back')}</a></p>`), status);
  });
  app.decorateRequest('staff', null);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (publicPaths.has(path) || path.startsWith('/inbox/assets/')) return;
    const cookie = req.cookies[SESSION_COOKIE];
    const token = cookie ? req.unsignCookie(cookie) : undefined;
    req.staff = token?.valid && token.value ? ((await readSession(deps.db.prisma, token.value, Date.now(), deps.config.inboxIdleMinutes * 60_000)) ?? null) : null;
    if (!req.staff) {
      if (req.method === 'GET' && req.headers.accept?.includes('text/html')) {
        return reply.redirect(`/inbox/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'sign in at /inbox/login' });
    }
    if (req.staff.mustChangePassword && path !== '/inbox/password' && path !== '/inbox/logout') {
      return reply.redirect('/inbox/password', 303);
    }
  });
  // Every change goes through a form or a fetch with the token: a request without one is 403.
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD') return done();
    app.csrfProtection(req, reply, done);
  });

  await app.register(accountRoutes, deps);
  await app.register(liveRoutes, deps);
  await app.register(queueRoutes, deps);
  await app.register(peopleRoutes, deps);
  await app.register(pairRoutes, deps);
  await app.register(meetingRoutes, deps);
  await app.register(supervisionRoutes, deps);
  await app.register(caseRoutes, deps);
  await app.register(infoDayRoutes, deps);
  await app.register(resultRoutes, deps);
  await app.register(auditRoutes, deps);
};
