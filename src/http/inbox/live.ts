import type { FastifyPluginAsync } from 'fastify';
import { queueVersion, personVersion } from '../../db/inbox.js';
import { staffOf, type InboxDeps } from './index.js';

/** How often an open page's watch is checked: changes made by another instance show within this. */
const POLL_MS = 2000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 20_000;

/** Wakes the open pages' watches at once after a change made in this process. */
export interface Live {
  nudge(): void;
  /** Resolves at the next nudge or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void>;
}

export function createLive(): Live {
  let waiters: (() => void)[] = [];
  return {
    nudge() {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    wait(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }
        waiters.push(done);
      });
    },
  };
}

/**
 * Server-sent events: `GET /inbox/events?watch=queue` (or `person:<id>`) sends `change` whenever
 * what the page shows changed. The watch is re-read from the database, so a change made through
 * another instance reaches the page too; the page then reloads its main region (inbox.js).
 */
export const liveRoutes: FastifyPluginAsync<InboxDeps> = async (app, deps) => {
  // Open streams would hold the server's close forever: they end first.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  app.get('/inbox/events', async (req, reply) => {
    const scope = staffOf(req);
    const watch = String((req.query as { watch?: string }).watch ?? 'queue');
    const personId = watch.startsWith('person:') ? watch.slice('person:'.length) : undefined;
    const version = () => (personId ? personVersion(deps.db.prisma, scope, personId) : queueVersion(deps.db.prisma, scope));
    let last = await version();
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write(`retry: 3000\n\n`);
    let open = true;
    const end = () => {
      open = false;
      deps.live.nudge();
    };
    streams.add(end);
    req.raw.on('close', end);
    let quietSince = Date.now();
    while (open) {
      await deps.live.wait(POLL_MS);
      if (!open) break;
      try {
        const now = await version();
        if (now !== last) {
          last = now;
          quietSince = Date.now();
          reply.raw.write(`event: change\ndata: ${JSON.stringify({ watch })}\n\n`);
        } else if (Date.now() - quietSince > HEARTBEAT_MS) {
          quietSince = Date.now();
          reply.raw.write(`: still here\n\n`);
        }
      } catch (err) {
        // The person was erased, or the database is away for a moment: end the stream; the page's
        // EventSource comes back on its own.
        req.log.warn({ err }, 'live watch ended');
        break;
      }
    }
    streams.delete(end);
    reply.raw.end();
  });
};
