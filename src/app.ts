import type { FastifyInstance } from 'fastify';
import { flows } from '../flows/index.js';
import type { Channel, ChannelDeps, ChannelSender } from './channels/types.js';
import type { Config } from './config.js';
import { createEngine, type Engine } from './core/engine.js';
import { createTranslator, type Translator } from './core/i18n.js';
import { openDb, type Db } from './db/client.js';
import { createGroupCommitter, type GroupCommitter } from './db/group-commit.js';
import { migrate } from './db/migrate.js';
import { outboxDepth } from './db/outbox.js';
import { ConfigError } from './errors.js';
import { createHttpServer } from './http/server.js';
import { createIngest, type Ingest } from './inbound/ingest.js';
import { createProcessor, type Processor } from './inbound/processor.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createOutbox, type Outbox } from './outbox/worker.js';
import { startScheduler } from './scheduler/index.js';
import type { Clock } from './core/time.js';
import { inbox } from './http/inbox/index.js';
import { createLive } from './http/inbox/live.js';
import { createInboxTranslator } from './http/inbox/ui.js';
import { ensureFirstAdmin, sessionSecret } from './db/staff.js';
import { projectPath } from './paths.js';

export const localesDir = projectPath('locales');

/** One running Ponte: database, engine, durable inbox and outbox, and the HTTP server. */
export interface Ponte {
  config: Config;
  db: Db;
  translator: Translator;
  engine: Engine;
  committer: GroupCommitter;
  metrics: Metrics;
  ingest: Ingest;
  processor: Processor;
  outbox: Outbox;
  http: FastifyInstance;
  /** The channels this process handles (their events and their sends). */
  channels: readonly string[];
  /** The platform channels, with their routes and lifecycle. */
  platformChannels: readonly Channel[];
  /** Picks up events and messages left from before, then starts the outbox workers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds a platform channel once the core exists (it needs `ingest`). */
export type ChannelFactory = (deps: ChannelDeps) => Channel | Promise<Channel>;

export interface PonteOptions {
  config: Config;
  log: Logger;
  /** Platform channels: webhooks, senders and lifecycle. */
  channels?: readonly ChannelFactory[];
  /** Senders of channels without routes (the terminal chat, tests). */
  senders?: readonly ChannelSender[];
  /** Outbox poll interval (tests shorten it). */
  pollMs?: number;
  /** What time it is for conversations and the scheduler (tests control it). */
  clock?: Clock;
}

/**
 * Builds Ponte: applies pending migrations, opens the database and wires the core. Nothing
 * runs until `start()`; the HTTP server is returned unlistened so callers choose the port.
 */
export async function createPonte({ config, log, channels: factories = [], senders: extraSenders = [], pollMs, clock }: PonteOptions): Promise<Ponte> {
  const translator = createTranslator(localesDir, config.defaultLocale);
  if (!translator.locales.includes(config.defaultLocale)) {
    throw new ConfigError('DEFAULT_LOCALE', `must be one of ${translator.locales.join(', ')} (got ${config.defaultLocale})`);
  }
  const engine = createEngine({ flows, translator });
  const applied = await migrate(config.databaseUrl);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
  const db = await openDb(config.databaseUrl);
  const committer = createGroupCommitter(db.prisma);
  const metrics = createMetrics(() => outboxDepth(db.prisma));
  // The outbox needs every channel's sender, and the channels need the processor: bind late.
  let outbox: Outbox | undefined;
  const processor = createProcessor({
    db,
    committer,
    engine,
    translator,
    log: log.child({ component: 'processor' }),
    metrics,
    outbox: {
      wake: () => outbox?.wake(),
      claimOffer: () => outbox?.claimOffer(),
      sendClaimed: (rows) => outbox?.sendClaimed(rows),
    },
    programmeTimezone: config.programmeTimezone,
    caseLimitHours: config.caseLimitHours,
    ...(clock ? { clock } : {}),
  });
  const ingest = createIngest({ committer, dialect: db.dialect, processor, metrics });
  const http = createHttpServer({ db, metrics, log });
  const platformChannels = await Promise.all(factories.map((create) => create({ config, db, ingest, translator, log, metrics })));
  for (const channel of platformChannels) {
    if (channel.routes) http.register(channel.routes);
  }
  const senders = [...extraSenders, ...platformChannels.map((c) => c.sender)];
  outbox = createOutbox({ db, committer, senders, log: log.child({ component: 'outbox' }), metrics, ...(pollMs ? { pollMs } : {}) });
  const firstAdmin = await ensureFirstAdmin(db.prisma, config.inboxAdmin);
  if (firstAdmin === 'created') log.info('created the first inbox admin from INBOX_ADMIN_EMAIL');
  if (firstAdmin === 'none') {
    log.warn('the coordinator inbox has no account yet: set INBOX_ADMIN_EMAIL and INBOX_ADMIN_PASSWORD and restart, or run `npm run staff -- add --email EMAIL --role admin`');
  }
  http.register(inbox, {
    config,
    db,
    committer,
    translator,
    ui: createInboxTranslator(),
    ingest,
    live: createLive(),
    log,
    onOutbound: () => outbox.wake(),
    media: new Map(platformChannels.flatMap((c) => (c.media ? [[c.name, c.media] as const] : []))),
    sessionSecret: await sessionSecret(db.prisma, config.sessionSecret),
  });
  const channels = senders.map((s) => s.channel);
  let stopSweeping = () => {};
  let stopScheduler = () => {};

  return {
    config,
    db,
    translator,
    engine,
    committer,
    metrics,
    ingest,
    processor,
    outbox,
    http,
    channels,
    platformChannels,
    async start() {
      stopSweeping = processor.sweep(channels);
      const scheduler = startScheduler({
        committer,
        translator,
        programmeTimezone: config.programmeTimezone,
        quietHours: config.quietHours,
        dialect: db.dialect,
        cadence: config.cadence,
        onPushed: (events) => processor.enqueue(events),
        ...(clock ? { clock } : {}),
        log: log.child({ component: 'scheduler' }),
        metrics,
        onOutbound: () => outbox.wake(),
      });
      stopScheduler = () => scheduler.stop();
      const recovered = await processor.recover(channels);
      if (recovered > 0) log.info({ recovered }, 'resuming events received before the last stop');
      await outbox.start();
      for (const channel of platformChannels) await channel.start?.();
    },
    async stop() {
      stopSweeping();
      stopScheduler();
      for (const channel of platformChannels) await channel.stop?.();
      await http.close();
      await processor.idle();
      await outbox.stop();
      await committer.idle();
      await db.close();
    },
  };
}
