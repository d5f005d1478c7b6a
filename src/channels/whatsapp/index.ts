import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ChannelFactory } from '../../app.js';
import { markUnreachable, recordDeliveryState } from '../../db/deliveries.js';
import { ConfigError } from '../../errors.js';
import { isSameSecret } from '../../http/secrets.js';
import type { Channel } from '../types.js';
import { createWhatsAppSender, GraphCode } from './client.js';
import { toInboundEvents, toStatuses, WHATSAPP_CHANNEL, WhatsAppWebhook } from './inbound.js';
import { createWhatsAppMedia } from './media.js';

/** `sha256=` and 64 hex digits: anything else is refused before any HMAC is computed. */
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** True when `header` is the HMAC-SHA256 of the raw body with the app secret, compared in constant time. */
export function isSignedBy(appSecret: string, raw: Buffer, header: unknown): boolean {
  const hex = typeof header === 'string' ? SIGNATURE.exec(header)?.[1] : undefined;
  if (!hex) return false;
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}


/**
 * The WhatsApp Cloud API channel: the sender (client.ts) and the webhook, an encapsulated
 * Fastify plugin. A POST is answered 200 only once its messages are stored; a wrong signature
 * gets 401, a body that is not JSON or not WhatsApp's shape 400, and nothing is stored.
 */
export const createWhatsAppChannel: ChannelFactory = (deps) => {
  const config = deps.config.whatsapp;
  if (!config) throw new ConfigError('WHATSAPP_ACCESS_TOKEN', 'is required for the WhatsApp channel');
  const log = deps.log.child({ channel: WHATSAPP_CHANNEL });
  const sender = createWhatsAppSender({ config, db: deps.db, translator: deps.translator, log });
  const prisma = deps.db.prisma;

  const routes: FastifyPluginAsync = async (app) => {
    // The signature covers the raw bytes: keep them, and parse JSON only once it is checked.
    // Registered inside this plugin, the parsers apply to these routes only.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.get('/webhooks/whatsapp', async (req, reply) => {
      const query = req.query as Record<string, unknown>;
      const challenge = query['hub.challenge'];
      if (query['hub.mode'] !== 'subscribe' || !isSameSecret(query['hub.verify_token'], config.verifyToken) || typeof challenge !== 'string') {
        return reply.code(403).send();
      }
      return reply.code(200).type('text/plain').send(challenge);
    });

    app.post('/webhooks/whatsapp', async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isSignedBy(config.appSecret, raw, req.headers['x-hub-signature-256'])) {
        log.warn({ reqId: req.id }, 'webhook refused: bad signature');
        return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'X-Hub-Signature-256 does not match the body' });
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'BAD_REQUEST', message: 'the body is not JSON' });
      }
      const parsed = WhatsAppWebhook.safeParse(json);
      if (!parsed.success) {
        return reply.code(400).send({ error: 'BAD_REQUEST', message: 'the body is not a WhatsApp webhook' });
      }
      const events = toInboundEvents(parsed.data);
      const { stored, duplicates } = await deps.ingest(events);
      const statuses = toStatuses(parsed.data);
      for (const s of statuses) {
        await recordDeliveryState(prisma, WHATSAPP_CHANNEL, s.messageId, s.state, s.errorCode !== undefined ? `WhatsApp error ${s.errorCode}` : undefined);
        if (s.state === 'failed' && s.errorCode === GraphCode.undeliverable && s.recipient) await markUnreachable(prisma, WHATSAPP_CHANNEL, s.recipient);
      }
      // Marking a message read marks the earlier ones too: one receipt per person is enough.
      const latest = new Map(events.map((e) => [e.address, e.externalId]));
      for (const messageId of latest.values()) void sender.markRead(messageId);
      log.debug({ reqId: req.id, stored, duplicates, statuses: statuses.length }, 'webhook handled');
      return reply.code(200).send();
    });
  };

  const channel: Channel = { name: WHATSAPP_CHANNEL, sender, routes, media: createWhatsAppMedia(config, log) };
  return channel;
};
