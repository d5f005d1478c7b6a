import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { health } from './health.js';
import { metricsRoute } from './metrics.js';
import { lazyRequestLogger } from './request-logger.js';

declare module 'fastify' {
  interface FastifyInstance {
    routeList(): readonly { method: string; url: string }[];
  }
}

/** Webhook bodies larger than this get 413: the platforms' own payloads are far smaller. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * The HTTP server: health and metrics here; webhooks and the inbox register themselves as
 * plugins, each given what it needs. Errors go out without internals: a 4xx says what was
 * wrong with the request, a 5xx only that something failed (the log has the rest).
 */
export function createHttpServer(deps: { db: Db; metrics: Metrics; log: Logger }): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, method: req.method, path: req.url.split('?')[0] }, 'request failed');
      return reply.code(status).send({ error: 'Internal Server Error' });
    }
    return reply.code(status).send({ error: err.code ?? 'BAD_REQUEST', message: err.message });
  });
  // The routes every plugin registered, for the tests that walk all of them (no page without a session).
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.decorate('routeList', () => routes);
  app.register(health, { db: deps.db });
  app.register(metricsRoute, { metrics: deps.metrics });
  return app as unknown as FastifyInstance;
}
