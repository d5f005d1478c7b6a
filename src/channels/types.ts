import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import type { OutboundMessage } from '../core/events.js';
import type { Translator } from '../core/i18n.js';
import type { Db } from '../db/client.js';
import type { Ingest } from '../inbound/ingest.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

/** What the outbox knows about the person when it sends (loaded in one query per claim). */
export interface SendContext {
  /** When the person last wrote to us (epoch ms), if ever: WhatsApp's 24-hour window. */
  lastInboundAt: number | undefined;
}

/** A channel's send side, as the outbox sees it. Each channel's `client.ts` provides one. */
export interface ChannelSender {
  readonly channel: string;
  /** Sends per second for the whole channel (0: no limit). */
  readonly ratePerSecond: number;
  /** Sends per second to one person, with a small burst (0: no limit). */
  readonly ratePerAddress: number;
  /**
   * The sender reads its `SendContext` (WhatsApp's window). The outbox loads the context, one
   * query per claim, only for such channels.
   */
  readonly needsContext?: boolean;
  /**
   * Delivers one outbound message, reshaped to the platform's limits by the channel's renderer
   * (it may take several platform messages). Throws PlatformError or NetworkError.
   * Returns the platform's id for the (last) message sent, when it gives one.
   */
  send(address: string, message: OutboundMessage, context: SendContext): Promise<{ platformMessageId?: string }>;
}

/** What a channel is given to do its work. */
export interface ChannelDeps {
  config: Config;
  db: Db;
  ingest: Ingest;
  translator: Translator;
  log: Logger;
  metrics: Metrics;
}

/** Downloads a file a person sent, by the platform's id for it, for a coordinator to view. */
export interface MediaFetcher {
  /** Throws PlatformError when the platform no longer has it (files expire). */
  fetch(mediaRef: string): Promise<{ mimeType: string; data: Buffer }>;
}

/** A chat platform, plugged into the core: its sender, its webhook routes and its lifecycle. */
export interface Channel {
  readonly name: string;
  readonly sender: ChannelSender;
  /** Files people send, when the platform lets a bot download them. */
  readonly media?: MediaFetcher;
  /** Registers the channel's webhook routes (an encapsulated Fastify plugin). */
  readonly routes?: FastifyPluginAsync;
  /** Runs once the HTTP server listens: register a webhook, start polling, set a command menu. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
