import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { createSession, endSession, setPassword, signIn } from '../../db/staff.js';
import { html } from './html.js';
import { SESSION_COOKIE, pageContext, sendPage, staffOf, type InboxDeps } from './index.js';
import { csrfField, page, type PageContext } from './layout.js';

/** Only a path inside the inbox: a `next` pointing elsewhere would make the sign-in an open redirect. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/inbox(\/[^/\\]|$|\?)/.test(next) ? next : '/inbox';
}

function loginPage(ctx: PageContext, next: string, error?: string) {
  return page(
    ctx,
    ctx.t('login.title'),
    html`<form method="post" action="/inbox/login" class="card narrow">
      ${csrfField(ctx)}<input type="hidden" name="next" value="${next}">
      ${error ? html`<p class="error" role="alert" id="login-error">${ctx.t(`login.${error}`)}</p>` : ''}
      <label for="email">${ctx.t('login.email')}</label>
      <input id="email" name="email" type="email" autocomplete="username" required${error ? html` aria-describedby="login-error"` : ''}>
      <label for="password">${ctx.t('login.password')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">${ctx.t('login.submit')}</button>
    </form>`,
  );
}

const passwordRule = z.string().min(12).max(200);

/** Sign-in, sign-out, the password change a one-time password requires, and the inbox language. */
export const accountRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  const prisma = deps.db.prisma;
  const cookieOptions = { path: '/inbox', httpOnly: true, sameSite: 'strict' as const, secure: 'auto' as const, signed: true };

  app.get('/inbox/login', async (req, reply) => {
    const query = req.query as { next?: string };
    return sendPage(reply, loginPage(pageContext(req, reply, deps), safeNext(query.next)));
  });

  app.post(
    '/inbox/login',
    // Per address, on top of the per-account lockout: slows guessing across many accounts.
    { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const body = z.object({ email: z.string().max(320), password: z.string().max(200), next: z.string().optional() }).safeParse(req.body);
      const next = safeNext(body.data?.next);
      if (!body.success) return sendPage(reply, loginPage(pageContext(req, reply, deps), next, 'invalid'), 400);
      const result = await signIn(prisma, body.data.email, body.data.password, Date.now());
      if (!result.ok) {
        req.log.info({ reason: result.reason }, 'inbox sign-in refused');
        return sendPage(reply, loginPage(pageContext(req, reply, deps), next, result.reason), result.reason === 'locked' ? 429 : 401);
      }
      const token = await createSession(prisma, result.staffId, Date.now());
      return reply.setCookie(SESSION_COOKIE, token, cookieOptions).redirect(next, 303);
    },
  );

  app.post('/inbox/logout', async (req, reply) => {
    const cookie = req.cookies[SESSION_COOKIE];
    const token = cookie ? req.unsignCookie(cookie) : undefined;
    if (token?.valid && token.value) await endSession(prisma, token.value);
    return reply.clearCookie(SESSION_COOKIE, { path: '/inbox' }).redirect('/inbox/login', 303);
  });

  const passwordPage = (ctx: PageContext, error?: string) =>
    page(
      ctx,
      ctx.t('password.title'),
      html`<form method="post" action="/inbox/password" class="card narrow">
        ${csrfField(ctx)}
        <p>${ctx.t(ctx.staff?.mustChangePassword ? 'password.must_change' : 'password.intro')}</p>
        ${error ? html`<p class="error" role="alert">${ctx.t(`password.${error}`)}</p>` : ''}
        <label for="current">${ctx.t('password.current')}</label>
        <input id="current" name="current" type="password" autocomplete="current-password" required>
        <label for="new">${ctx.t('password.new')}</label>
        <input id="new" name="password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="new-hint">
        <p class="hint" id="new-hint">${ctx.t('password.hint')}</p>
        <label for="repeat">${ctx.t('password.repeat')}</label>
        <input id="repeat" name="repeat" type="password" autocomplete="new-password" minlength="12" required>
        <button type="submit">${ctx.t('password.submit')}</button>
      </form>`,
    );

  app.get('/inbox/password', async (req, reply) => sendPage(reply, passwordPage(pageContext(req, reply, deps))));

  app.post('/inbox/password', async (req, reply) => {
    const staff = staffOf(req);
    const body = z.object({ current: z.string().max(200), password: z.string().max(200), repeat: z.string().max(200) }).safeParse(req.body);
    const ctx = pageContext(req, reply, deps);
    if (!body.success) return sendPage(reply, passwordPage(ctx, 'too_short'), 400);
    if (!passwordRule.safeParse(body.data.password).success) return sendPage(reply, passwordPage(ctx, 'too_short'), 400);
    if (body.data.password !== body.data.repeat) return sendPage(reply, passwordPage(ctx, 'mismatch'), 400);
    if (body.data.password === body.data.current) return sendPage(reply, passwordPage(ctx, 'same'), 400);
    const check = await signIn(prisma, staff.email, body.data.current, Date.now());
    if (!check.ok) return sendPage(reply, passwordPage(ctx, 'wrong_current'), 400);
    const cookie = req.unsignCookie(req.cookies[SESSION_COOKIE] ?? '');
    await setPassword(prisma, staff.staffId, body.data.password, false, cookie.value ?? undefined);
    return reply.redirect('/inbox?done=password', 303);
  });

  app.post('/inbox/language', async (req, reply) => {
    const staff = staffOf(req);
    const body = z.object({ locale: z.enum(['en', 'pt']), back: z.string().optional() }).safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'BAD_REQUEST', message: 'locale must be en or pt' });
    await prisma.staff.update({ where: { id: staff.staffId }, data: { locale: body.data.locale } });
    return reply.redirect(safeNext(body.data.back), 303);
  });
};
