import type { Activity, CloudAdapter } from 'botbuilder';
import type { Prisma } from '../../db/client.js';
import { NetworkError, PlatformError } from '../../errors.js';
import type { ChannelSender } from '../types.js';
import { BOTFRAMEWORK_CHANNEL } from './inbound.js';
import type { BotBuilder } from './load.js';
import { loadReference } from './references.js';
import { render } from './render.js';

/**
 * Sends for the whole bot per second: Teams allows 30 per second per app per tenant
 * (msteams-docs `bots/how-to/rate-limit.md`).
 */
export const RATE_PER_SECOND = 30;
/**
 * Sends per second to one conversation, after the outbox's burst of 3. Teams allows 7 in 1 s,
 * 8 in 2 s and 60 in 30 s per conversation (same page): 2 a second holds for all three.
 */
export const RATE_PER_ADDRESS = 2;
/**
 * How long one call to the connector may take. It must end well within the outbox's claim
 * (60 s), or another worker would take the message over and send it a second time.
 */
const SEND_TIMEOUT_MS = 15_000;

/** The part of botbuilder's ConnectorClient a send uses (its type is not exported by botbuilder). */
interface Connector {
  conversations: {
    sendToConversation(conversationId: string, activity: Partial<Activity>, options?: { timeout?: number }): Promise<{ id?: string }>;
  };
}

/**
 * The Azure pipeline inside botbuilder's ConnectorClient retries on its own: 3 times, sleeping
 * for whatever `Retry-After` says and backing off on 5xx and dropped connections. Ponte's outbox
 * already retries, durably, with the platform's `Retry-After` and its rate limits; retries
 * nested inside a send would hide throttling from it, hold a person's queue, and could outlast
 * the outbox's claim (a second worker then sends the same message again). So they are taken
 * out of the client created for each send. The pipeline is not part of botbuilder's typings:
 * if a later version moves it this does nothing, and the throttling test notices.
 */
function withoutPipelineRetries(connector: unknown): void {
  const pipeline = (connector as { client?: { pipeline?: { removePolicy?: (o: { name: string }) => unknown } } }).client?.pipeline;
  pipeline?.removePolicy?.({ name: 'defaultRetryPolicy' });
}

/** Seconds from a `Retry-After` header: delta-seconds or an HTTP date. */
function retryAfterSeconds(header: string | undefined | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The shape of the RestError that botbuilder's connector throws (from @azure/core-rest-pipeline). */
interface ConnectorError {
  statusCode?: number;
  code?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

/**
 * Consecutive throttled sends per conversation, for a backoff when a 429 says nothing about
 * when to come back (no body or `Retry-After` is documented for Teams). In memory: it only
 * spaces retries out; losing it on a restart starts the backoff again from 1 s.
 */
class ThrottleBackoff {
  private readonly strikes = new Map<string, number>();

  /** Seconds to wait: 1, 2, 4… up to 10 minutes, with jitter so a crowd does not return at once. */
  next(address: string, random: () => number = Math.random): number {
    const n = (this.strikes.get(address) ?? 0) + 1;
    if (this.strikes.size > 10_000) this.strikes.clear();
    this.strikes.set(address, n);
    const base = Math.min(600, 2 ** (n - 1));
    return Math.max(1, Math.round(base * (0.75 + random() / 2)));
  }

  reset(address: string): void {
    this.strikes.delete(address);
  }
}

/**
 * Maps what the connector threw to Ponte's errors. 429: try again after `Retry-After` or a
 * backoff, for this conversation only. 412, 408 and 5xx: try again (rate-limit.md names 412,
 * 502 and 504). 401/403/404 and other 4xx: the same message cannot succeed. No status: no answer.
 * The connector's error is not kept as `cause`: it holds the request, whose URL names the
 * conversation (and whose headers, once authenticated, the token), and errors get logged.
 */
export function toSendError(err: unknown, throttleBackoffSec: () => number, now: number = Date.now()): Error {
  const e = (err ?? {}) as ConnectorError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) {
    // botbuilder's own errors (no reference, bad credentials) and dropped connections alike.
    const name = err instanceof Error ? err.name : 'unknown';
    return new NetworkError(`no answer from the Bot Connector (${name}${e.code ? ` ${e.code}` : ''})`);
  }
  const platformCode = e.code ?? status;
  if (status === 429) {
    const retryAfterSec = retryAfterSeconds(e.response?.headers?.get?.('retry-after'), now) ?? throttleBackoffSec();
    return new PlatformError('the Bot Connector throttled the conversation (429)', { status, platformCode, retryAfterSec, scope: 'address' });
  }
  const retryable = status === 408 || status === 412 || status >= 500;
  return new PlatformError(`the Bot Connector answered ${status}`, { status, platformCode, permanent: !retryable });
}

/**
 * 403 codes that mean this person cannot be reached until they write again: they blocked the
 * bot, or the bot is no longer in the conversation (uninstalled). msteams-docs
 * `bots/build-conversational-capability.md`, "Status code responses".
 */
const UNREACHABLE_CODES = new Set(['ConversationBlockedByUser', 'BotNotInConversationRoster']);

/** botbuilder, and the adapter made of it with the bot's credentials. */
export interface BotFramework {
  botbuilder: BotBuilder;
  adapter: CloudAdapter;
}

export interface BotFrameworkSenderOptions {
  /** botbuilder and its adapter, loaded when first needed (see load.ts). */
  botFramework: () => Promise<BotFramework>;
  /** The bot's app id ('' unauthenticated, for local use). */
  appId: string;
  prisma: Prisma;
  /** Told when the connector says the person blocked the bot or removed it. */
  onUnreachable?: (address: string) => void;
}

/**
 * The Bot Framework channel's sender. Every send is proactive: the person's stored
 * ConversationReference (saved by the webhook) tells botbuilder's CloudAdapter the
 * `serviceUrl` and conversation, and the activities go to `{serviceUrl}/v3/conversations/{id}/activities`.
 */
export function createBotFrameworkSender({ botFramework, appId, prisma, onUnreachable }: BotFrameworkSenderOptions): ChannelSender {
  const backoff = new ThrottleBackoff();
  return {
    channel: BOTFRAMEWORK_CHANNEL,
    ratePerSecond: RATE_PER_SECOND,
    ratePerAddress: RATE_PER_ADDRESS,
    async send(address, message) {
      const reference = await loadReference(prisma, address);
      if (!reference) {
        // Nothing can reach this conversation until the person writes again (and is stored).
        throw new PlatformError('no conversation reference is stored for this address', { platformCode: 'NoConversationReference', permanent: true });
      }
      const activities = render(message, reference.channelId);
      const { botbuilder, adapter } = await botFramework();
      let platformMessageId: string | undefined;
      try {
        await adapter.continueConversationAsync(appId, reference, async (context) => {
          const connector = context.turnState.get<Connector>(context.adapter.ConnectorClientKey);
          withoutPipelineRetries(connector);
          // A message split in pieces is sent in order; if a later piece fails, the retry sends
          // the whole message again (at-least-once, as everywhere in the outbox).
          for (const activity of activities) {
            // `locale` is the language of this message, which the person may have changed since.
            const outgoing = botbuilder.TurnContext.applyConversationReference({ ...activity, locale: message.locale } as Partial<Activity>, reference);
            const answer = await connector.conversations.sendToConversation(reference.conversation.id, outgoing, { timeout: SEND_TIMEOUT_MS });
            platformMessageId = answer.id ?? platformMessageId;
          }
        });
      } catch (err) {
        const error = toSendError(err, () => backoff.next(address));
        if (error instanceof PlatformError && error.details.status === 403 && UNREACHABLE_CODES.has(String(error.details.platformCode))) {
          onUnreachable?.(address);
        }
        throw error;
      }
      backoff.reset(address);
      return platformMessageId === undefined ? {} : { platformMessageId };
    },
  };
}
