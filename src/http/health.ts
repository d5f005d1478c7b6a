import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../db/client.js';
import { isMigrated } from '../db/migrate.js';

/** `/healthz`: the process is alive. `/readyz`: the database answers and every migration is applied. */
export const health: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  let migrated = false;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await db.prisma.$queryRawUnsafe('SELECT 1');
      migrated ||= await isMigrated(db.prisma, db.dialect);
      if (!migrated) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });
};
