import type { FastifyPluginAsync } from 'fastify';
import type { InboxDeps } from './index.js';

export const caseRoutes: FastifyPluginAsync<InboxDeps> = async () => {};
