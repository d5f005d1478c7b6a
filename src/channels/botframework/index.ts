import { isIPv4 } from 'node:net';
import type { ConfigurationBotFrameworkAuthentication, ConfigurationBotFrameworkAuthenticationOptions, Response as BotResponse } from 'botbuilder';
import type { FastifyPluginAsync } from 'fastify';
import type { ChannelFactory } from '../../app.js';
import { markUnreachable } from '../../db/deliveries.js';
import { ConfigError } from '../../errors.js';
import type { Channel, ChannelDeps } from '../types.js';
import { createBotFrameworkSender, type BotFramework } from './client.js';
import { BOTFRAMEWORK_CHANNEL, BotActivity, addressOf, toInboundEvents } from './inbound.js';
import { loadBotBuilder, type BotBuilder } from './load.js';
import { referenceOf, saveReference } from './references.js';

/**
 * True when a URL's host is this machine: `localhost`, 127.0.0.0/8 or ::1. The WHATWG URL
 * parser has already normalised the spellings (`127.1`, `0x7f.0.0.1`, `[::ffff:127.0.0.1]`).
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === 'localhost' || host === '::1') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  // An IPv4-mapped IPv6 address of 127.x.y.z, as the URL parser writes it.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

/** What botbuilder's CloudAdapter answered, kept so Fastify sends it (botbuilder's Response interface). */
class CapturedResponse implements BotResponse {
  socket = null;
  statusCode = 200;
  body: unknown = undefined;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  send(body?: unknown) {
    this.body = body;
    return this;
  }
  header() {
    return this;
  }
  end() {
    return this;
  }
}

/** botbuilder's authentication settings from Ponte's config; a wrong combination names its variable. */
function createAuthentication(settings: ChannelDeps['config']['botframework'], botbuilder: BotBuilder): ConfigurationBotFrameworkAuthentication {
  const options: ConfigurationBotFrameworkAuthenticationOptions = {};
  if (settings.appId) options.MicrosoftAppId = settings.appId;
  if (settings.appPassword) options.MicrosoftAppPassword = settings.appPassword;
  if (settings.appType) options.MicrosoftAppType = settings.appType;
  if (settings.tenantId) options.MicrosoftAppTenantId = settings.tenantId;
  try {
    return new botbuilder.ConfigurationBotFrameworkAuthentication(options);
  } catch (err) {
    // botbuilder asserts, e.g. "MicrosoftAppTenantId is required for SingleTenant in configuration."
    const message = err instanceof Error ? err.message : String(err);
    const variable = /\b(MicrosoftApp(?:Id|Password|Type|TenantId))\b/.exec(message)?.[1] ?? 'MicrosoftAppId';
    throw new ConfigError(variable, message.replace(/\s+in configuration\.?$/, '').slice(0, 200));
  }
}

let warnedUnauthenticated = false;

/**
 * The Bot Framework channel (Teams, Web Chat, the Emulator) through botbuilder's CloudAdapter.
 * `POST /api/messages` authenticates the activity (when `MicrosoftAppId` is set), stores the
 * conversation reference and the events, and only then answers 200: replies are not sent in
 * the turn but through Ponte's outbox, as proactive messages, so the core stays the same for
 * every channel and a reply survives a crash.
 */
export const createBotFrameworkChannel: ChannelFactory = async (deps: ChannelDeps): Promise<Channel> => {
  const settings = deps.config.botframework;
  const log = deps.log.child({ channel: BOTFRAMEWORK_CHANNEL });
  const isAuthenticated = Boolean(settings.appId);
  let loading: Promise<BotFramework> | undefined;
  const botFramework = () =>
    (loading ??= loadBotBuilder().then((botbuilder) => ({ botbuilder, adapter: new botbuilder.CloudAdapter(createAuthentication(settings, botbuilder)) })));
  if (settings.appId || settings.appPassword || settings.appType || settings.tenantId) await botFramework();
  const sender = createBotFrameworkSender({
    botFramework,
    appId: settings.appId ?? '',
    prisma: deps.db.prisma,
    onUnreachable: (address) => {
      markUnreachable(deps.db.prisma, BOTFRAMEWORK_CHANNEL, address).catch((err: unknown) => log.error({ err }, 'could not mark a conversation unreachable'));
    },
  });
  if (!isAuthenticated && !warnedUnauthenticated) {
    warnedUnauthenticated = true;
    log.warn(
      'BOT FRAMEWORK CHANNEL IS UNAUTHENTICATED: MicrosoftAppId is not set, so /api/messages accepts activities from anyone. ' +
        'Use this only on your own machine (Bot Framework Emulator); only loopback serviceUrls are accepted.',
    );
  }

  const routes: FastifyPluginAsync = async (app) => {
    app.post('/api/messages', async (req, reply) => {
      const parsed = BotActivity.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ error: 'BAD_ACTIVITY', message: 'not a Bot Framework activity' });
      const activity = parsed.data;
      // Unauthenticated, anyone can post here, and every reply goes to the activity's
      // serviceUrl: an open endpoint would make this server send requests wherever it is told
      // (to the cloud metadata service, to an internal admin page). With a real app id the
      // connector's signed token vouches for the serviceUrl; without one, only this machine's
      // own Emulator is believed.
      if (!isAuthenticated && !isLoopbackUrl(activity.serviceUrl)) {
        log.warn({ activityType: activity.type }, 'refused an unauthenticated activity whose serviceUrl is not on this machine');
        return reply.code(403).send({ error: 'FORBIDDEN', message: 'without MicrosoftAppId only loopback serviceUrls are accepted' });
      }
      // botbuilder would refuse it too, but only after printing a stack trace for every probe.
      if (isAuthenticated && !req.headers.authorization) return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'missing Authorization' });

      const events = toInboundEvents(activity);
      const response = new CapturedResponse();
      let failure: unknown;
      let ran = false;
      await (await botFramework()).adapter.process({ body: req.body as Record<string, unknown>, headers: req.headers, method: req.method }, response, async () => {
        ran = true;
        if (events.length === 0) return; // typing, the bot's own arrival, an invoke: nothing to keep
        try {
          await saveReference(deps.db.prisma, addressOf(activity), referenceOf(activity));
          await deps.ingest(events); // recorded before we answer 2xx
        } catch (err) {
          // Kept from botbuilder, which would print it and send its message as the body.
          failure = err;
        }
      });
      if (failure) throw failure;
      if (!ran && response.statusCode === 401) {
        return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'the Bot Connector token was not accepted' });
      }
      // An invoke's answer is the only body botbuilder gives; anything else is a bare status.
      return typeof response.body === 'object' && response.body !== null ? reply.code(response.statusCode).send(response.body) : reply.code(response.statusCode).send();
    });
  };

  return { name: BOTFRAMEWORK_CHANNEL, sender, routes };
};
