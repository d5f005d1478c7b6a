import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { lazyRequestLogger } from '../../src/http/request-logger.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';

type Line = Record<string, unknown>;

function loggerAt(level: string) {
  const lines: Line[] = [];
  const log = createLogger(level, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as Line), done()) }));
  return { log, lines };
}

/** The HTTP server logging at `level`, with three routes that log differently. */
async function serverAt(level: string) {
  const { log, lines } = loggerAt(level);
  const app = createHttpServer({ db: {} as Db, metrics: createMetrics(async () => 0), log });
  app.get('/quiet', async (req) => {
    req.log.info('an info line');
    req.log.debug('a debug line');
    return { ok: true };
  });
  app.get('/careful', async (req) => {
    req.log.warn({ kind: 'test' }, 'a warning');
    return { ok: true };
  });
  app.get('/broken', async () => {
    throw new Error('broken on purpose');
  });
  await app.ready();
  return { app, lines };
}

describe('each request’s logger', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('above info, is made when the request first logs a warning or worse, and only then', () => {
    const { log, lines } = loggerAt('warn');
    const parent = log.child({ component: 'http' });
    const made = vi.spyOn(parent, 'child');
    const logger = lazyRequestLogger(parent, { reqId: 'req-7' }, {});
    logger.info('an info line');
    logger.debug('a debug line');
    expect(made).not.toHaveBeenCalled();
    logger.warn({ kind: 'test' }, 'a warning');
    logger.error('an error');
    expect(made).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, component: 'http', reqId: 'req-7', kind: 'test', msg: 'a warning' }),
      expect.objectContaining({ level: 50, component: 'http', reqId: 'req-7', msg: 'an error' }),
    ]);
  });

  it('at info or with options of its own, is made at once', () => {
    const { log } = loggerAt('info');
    const made = vi.spyOn(log, 'child');
    lazyRequestLogger(log, { reqId: 'req-1' }, {});
    expect(made).toHaveBeenCalledTimes(1);
    const quiet = loggerAt('warn').log;
    const madeQuiet = vi.spyOn(quiet, 'child');
    lazyRequestLogger(quiet, { reqId: 'req-2' }, { level: 'debug' });
    expect(madeQuiet).toHaveBeenCalledTimes(1);
  });

  it('in the server above info, writes only warnings and errors, each with its own request’s id', async () => {
    const { app, lines } = await serverAt('warn');
    close = () => app.close();
    for (let i = 0; i < 3; i += 1) expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(lines).toEqual([]);
    expect((await app.inject({ url: '/careful' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/broken' })).statusCode).toBe(500);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, component: 'http', reqId: 'req-4', kind: 'test', msg: 'a warning' }),
      expect.objectContaining({ level: 50, component: 'http', reqId: 'req-5', path: '/broken', msg: 'request failed' }),
    ]);
  });

  it('in the server at info, writes the request’s lines with its id', async () => {
    const { app, lines } = await serverAt('info');
    close = () => app.close();
    expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(lines.map((l) => [l.msg, l.reqId, l.component])).toEqual([
      ['incoming request', 'req-1', 'http'],
      ['an info line', 'req-1', 'http'],
      ['request completed', 'req-1', 'http'],
    ]);
  });
});
