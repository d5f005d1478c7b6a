import type { ServerErrorResponse, ServerSentMessageResponse } from 'whatsapp-api-js/types';
import type { Config } from '../../config.js';
import type { OutboundMessage } from '../../core/events.js';
import type { Translator } from '../../core/i18n.js';
import type { Db } from '../../db/client.js';
import { markUnreachable } from '../../db/deliveries.js';
import { NetworkError, PlatformError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChannelSender, SendContext } from '../types.js';
import { WHATSAPP_CHANNEL } from './inbound.js';
import { createJsonPoster, type JsonAnswer } from '../post-json.js';
import { render, renderAsTemplate, uploadedDocument, type WaPayload } from './render.js';

/** The customer-service window: free-form messages only this long after the person's last message. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
/** Sent a little before the window closes, a message could still arrive after it: leave a margin. */
const WINDOW_MARGIN_MS = 60_000;

/** Graph error codes we act on (platform-limits.md; Meta's "Error codes" page). */
export const GraphCode = {
  invalidParameter: 100,
  accessToken: 190,
  throughput: 130429,
  undeliverable: 131026,
  reEngagement: 131047,
  pairRate: 131056,
} as const;

/** How long to wait when Meta asks us to slow down without saying for how long. */
const THROUGHPUT_PAUSE_SEC = 1;
/** Meta's pair rate limit allows about one message every 6 seconds to one person, after a burst. */
const PAIR_PAUSE_SEC = 6;
const REQUEST_TIMEOUT_MS = 15_000;

/** The WhatsApp sender, and the read receipt the webhook sends once a message is stored. */
export interface WhatsAppSender extends ChannelSender {
  /** Marks an inbound message (and the earlier ones) as read. Never throws; failures are logged. */
  markRead(messageId: string): Promise<void>;
}

export interface WhatsAppSenderDeps {
  config: NonNullable<Config['whatsapp']>;
  db: Db;
  translator: Translator;
  log: Logger;
  now?: () => number;
}

type Answer = { ok: true; id: string | undefined } | { ok: false; error: PlatformError; code: number | undefined };

/** The answer's Graph error, if it is one (the shape whatsapp-api-js types as ServerErrorResponse). */
function graphError(body: unknown): ServerErrorResponse['error'] | undefined {
  const error = (body as Partial<ServerErrorResponse> | undefined)?.error;
  return error && typeof error === 'object' && typeof error.code === 'number' ? error : undefined;
}

function retryAfterHeader(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** Maps a Graph answer that is not a success to a PlatformError the outbox understands. */
function toPlatformError(status: number, body: unknown, retryAfter: number | undefined): { error: PlatformError; code: number | undefined } {
  const graph = graphError(body);
  const code = graph?.code;
  // Meta's own words only; `details` can quote what we sent, so it stays out of the log.
  const message = graph ? `WhatsApp error ${code}: ${String(graph.message).slice(0, 120)}` : `WhatsApp answered HTTP ${status}`;
  const platformCode = code ?? status;
  switch (code) {
    case GraphCode.throughput:
    case 4: // application request limit
    case 80007: // WhatsApp Business Account rate limit
      return { code, error: new PlatformError(message, { status, platformCode, scope: 'channel', retryAfterSec: retryAfter ?? THROUGHPUT_PAUSE_SEC }) };
    case GraphCode.pairRate:
      return { code, error: new PlatformError(message, { status, platformCode, scope: 'address', retryAfterSec: retryAfter ?? PAIR_PAUSE_SEC }) };
    case GraphCode.accessToken:
      // An expired token is fixed by the operator, not by the message: keep it for the retries.
      return { code, error: new PlatformError(message, { status, platformCode }) };
  }
  if (status >= 500 || status === 429 || status === 408) {
    return { code, error: new PlatformError(message, { status, platformCode, ...(retryAfter !== undefined ? { retryAfterSec: retryAfter } : {}) }) };
  }
  if (status === 401) return { code, error: new PlatformError(message, { status, platformCode }) };
  // 100 invalid parameter, 131009 parameter value, 131051 unsupported type, 131026 and the rest:
  // the same message sent again gets the same answer.
  return { code, error: new PlatformError(message, { status, platformCode, permanent: true }) };
}

/**
 * The WhatsApp Cloud API sender: renders a message (render.ts), posts it (post-json.ts) to
 * `{apiUrl}/{version}/{phoneNumberId}/messages`, and maps Graph errors to PlatformError.
 * Outside the 24-hour window, or when Meta says the window closed (131047), the message goes
 * as the generic template instead.
 */
export function createWhatsAppSender(deps: WhatsAppSenderDeps): WhatsAppSender {
  const { config, db, translator, log } = deps;
  const now = deps.now ?? Date.now;
  const endpoint = `${config.apiUrl}/${config.apiVersion}/${config.phoneNumberId}/messages`;
  const postJson = createJsonPoster(REQUEST_TIMEOUT_MS);
  /**
   * Parts of a multi-part message (text, then buttons) already accepted when a later part
   * failed: the retry resumes after them rather than sending them twice. Keyed by person and
   * content; the outbox sends one person's messages in order, so two can't share an entry.
   */
  const progress = new Map<string, { sent: number; lastId: string | undefined; at: number }>();

  async function post(body: object): Promise<Answer> {
    let answer: JsonAnswer;
    try {
      answer = await postJson(endpoint, { authorization: `Bearer ${config.accessToken}` }, JSON.stringify(body));
    } catch (err) {
      throw new NetworkError(`WhatsApp did not answer: ${(err as Error).name}`, { cause: err });
    }
    if (answer.status >= 200 && answer.status < 300 && !graphError(answer.body)) {
      return { ok: true, id: (answer.body as Partial<ServerSentMessageResponse> | undefined)?.messages?.[0]?.id };
    }
    const retryAfter = answer.headers['retry-after'];
    return { ok: false, ...toPlatformError(answer.status, answer.body, retryAfterHeader(typeof retryAfter === 'string' ? retryAfter : null)) };
  }

  /** Uploads a file to the number's media store; returns its media id. */
  async function upload(file: Extract<OutboundMessage, { kind: 'file' }>): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimeType);
    form.set('file', new Blob([Buffer.from(file.data, 'base64')], { type: file.mimeType }), file.filename);
    let response: Response;
    try {
      response = await fetch(`${config.apiUrl}/${config.apiVersion}/${config.phoneNumberId}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.accessToken}` },
        body: form,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new NetworkError(`WhatsApp did not answer: ${(err as Error).name}`, { cause: err });
    }
    const answer: unknown = await response.json().catch(() => undefined);
    const id = (answer as { id?: unknown } | undefined)?.id;
    if (response.ok && typeof id === 'string') return id;
    throw toPlatformError(response.status, answer, retryAfterHeader(response.headers.get('retry-after'))).error;
  }

  const envelope = (to: string, payload: WaPayload) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, ...payload });

  function isWindowOpen(context: SendContext): boolean {
    return context.lastInboundAt !== undefined && now() - context.lastInboundAt < WINDOW_MS - WINDOW_MARGIN_MS;
  }

  async function fail(address: string, answer: Extract<Answer, { ok: false }>): Promise<never> {
    if (answer.code === GraphCode.undeliverable) await markUnreachable(db.prisma, WHATSAPP_CHANNEL, address);
    throw answer.error;
  }

  function forget(): void {
    const old = now() - 60 * 60 * 1000;
    for (const [key, entry] of progress) if (entry.at < old) progress.delete(key);
  }

  return {
    channel: WHATSAPP_CHANNEL,
    ratePerSecond: config.rate,
    // Meta's pair rate limit (131056) is about one message every few seconds to one person, with
    // bursts allowed: one a second with the outbox's small burst stays under it.
    ratePerAddress: 1,
    needsContext: true,

    async send(address: string, message: OutboundMessage, context: SendContext) {
      if (message.kind === 'file' && isWindowOpen(context)) {
        const answer = await post(envelope(address, uploadedDocument(await upload(message), message)));
        if (!answer.ok) return fail(address, answer);
        return answer.id ? { platformMessageId: answer.id } : {};
      }
      const payloads = isWindowOpen(context) || message.kind === 'template' ? render(message, translator) : [renderAsTemplate(message)];
      // Only a message in several parts can be left half sent.
      const key = payloads.length > 1 ? `${address}\u0000${JSON.stringify(message)}` : undefined;
      const done = key === undefined ? undefined : progress.get(key);
      let lastId = done?.lastId;
      for (let i = done?.sent ?? 0; i < payloads.length; i += 1) {
        const payload = payloads[i]!;
        let answer = await post(envelope(address, payload));
        if (!answer.ok && answer.code === GraphCode.reEngagement && payload.type !== 'template') {
          // Our idea of the window was wrong (a message from them we never saw, a clock): the
          // template carries the whole message, so the remaining parts are not sent.
          log.info({ channel: WHATSAPP_CHANNEL, part: i }, 'window closed, sending the template');
          answer = await post(envelope(address, renderAsTemplate(message)));
          if (answer.ok) {
            lastId = answer.id;
            break;
          }
        }
        if (!answer.ok) {
          if (key !== undefined && (i > 0 || done)) {
            progress.set(key, { sent: i, lastId, at: now() });
            forget();
          }
          return fail(address, answer);
        }
        lastId = answer.id;
      }
      if (key !== undefined) progress.delete(key);
      return lastId ? { platformMessageId: lastId } : {};
    },

    async markRead(messageId: string) {
      try {
        const answer = await post({ messaging_product: 'whatsapp', status: 'read', message_id: messageId });
        if (!answer.ok) log.warn({ channel: WHATSAPP_CHANNEL, messageId, error: answer.error.details.platformCode }, 'read receipt refused');
      } catch (err) {
        log.warn({ channel: WHATSAPP_CHANNEL, messageId, error: (err as Error).name }, 'read receipt not sent');
      }
    },
  };
}
