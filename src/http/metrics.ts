import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

/** `/metrics` in Prometheus text format. */
export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
