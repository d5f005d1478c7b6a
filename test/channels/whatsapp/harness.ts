import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPonte, type Ponte } from '../../../src/app.js';
import { createWhatsAppChannel } from '../../../src/channels/whatsapp/index.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startGraphDouble, type AcceptedMessage, type GraphDouble } from '../../doubles/graph-api.js';
import { root } from '../../helpers/spawn.js';

export const TOKEN = 'EAAG-test-access-token';
export const PHONE_NUMBER_ID = '106540352242922';
export const APP_SECRET = 'app-secret-for-tests';
export const VERIFY_TOKEN = 'verify-me-please';

type Json = Record<string, unknown>;

/** A fixture from test/fixtures/whatsapp, parsed afresh (tests change ids in it). */
export function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(root, 'test/fixtures/whatsapp', `${name}.json`), 'utf8')) as Json;
}

/** The first message (or status) of a fixture envelope, to edit in place. */
export function firstOf(body: Json, list: 'messages' | 'statuses'): Json {
  const entry = (body.entry as Json[])[0]!;
  const value = ((entry.changes as Json[])[0]!.value as Json)[list] as Json[];
  return value[0]!;
}

let seq = 0;
/** A fresh wamid for an inbound message. */
export const wamid = () => `wamid.IN${process.pid}x${++seq}`;

/** A fixture message sent from `from` with a fresh id (or the one given). */
export function messageFrom(name: string, from: string, id = wamid()): Json {
  const body = fixture(name);
  const m = firstOf(body, 'messages');
  m.from = from;
  m.id = id;
  const contacts = (((body.entry as Json[])[0]!.changes as Json[])[0]!.value as Json).contacts as Json[] | undefined;
  if (contacts?.[0]) contacts[0].wa_id = from;
  return body;
}

/** A text message from `from`, as WhatsApp sends it. */
export function textFrom(from: string, text: string, id = wamid()): Json {
  const body = messageFrom('text', from, id);
  (firstOf(body, 'messages').text as Json).body = text;
  return body;
}

/** A pressed reply button (or list row, `list_reply`) with our choice id. */
export function pressFrom(from: string, choiceId: string, title: string, kind: 'button_reply' | 'list_reply' = 'button_reply'): Json {
  const body = messageFrom(kind === 'button_reply' ? 'interactive-button-reply' : 'interactive-list-reply', from);
  (firstOf(body, 'messages').interactive as Json) = { type: kind, [kind]: { id: choiceId, title } };
  return body;
}

/** A status callback for one of our messages. */
export function statusFor(messageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', recipient: string, errorCode?: number): Json {
  const body = fixture(`status-${status}`);
  const s = firstOf(body, 'statuses');
  s.id = messageId;
  s.recipient_id = recipient;
  if (errorCode !== undefined) s.errors = [{ code: errorCode, title: 'error', message: 'error', error_data: { details: '<DETAILS>' } }];
  return body;
}

export const sign = (raw: string | Buffer, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

/** What the webhook answered (the parts the tests read). */
export interface WebhookAnswer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}

/** A Ponte with the WhatsApp channel against a Graph API double, and helpers to talk to it. */
export interface WhatsAppPonte {
  ponte: Ponte;
  double: GraphDouble;
  /** Posts a webhook body, signed unless `signature` says otherwise (null: no header). */
  post(body: unknown, signature?: string | null): Promise<WebhookAnswer>;
  /** Waits until every event is handled and every due message sent. */
  settle(): Promise<void>;
  /** Posts a body, waits, and returns what the double accepted for `to` meanwhile. */
  exchange(to: string, body: unknown): Promise<AcceptedMessage[]>;
  storedEvents(): Promise<number>;
  stop(): Promise<void>;
}

export async function startWhatsAppPonte(databaseUrl: string, options: { rate?: number; doubleRate?: number } = {}): Promise<WhatsAppPonte> {
  const double = await startGraphDouble({ token: TOKEN, phoneNumberId: PHONE_NUMBER_ID, ...(options.doubleRate !== undefined ? { ratePerSecond: options.doubleRate } : {}) });
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    WHATSAPP_ACCESS_TOKEN: TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_API_URL: double.url,
    WHATSAPP_RATE_LIMIT: String(options.rate ?? 80),
  });
  const ponte = await createPonte({ config, log: createLogger('silent'), channels: [createWhatsAppChannel], pollMs: 50 });
  await ponte.start();
  const settle = async () => {
    await ponte.processor.idle();
    await ponte.outbox.drained(20_000);
  };
  const post = (body: unknown, signature?: string | null): Promise<WebhookAnswer> => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const header = signature === undefined ? sign(raw) : signature;
    return ponte.http.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'x-hub-signature-256': header }) },
      payload: raw,
    });
  };
  return {
    ponte,
    double,
    post,
    settle,
    async exchange(to, body) {
      const before = double.acceptedFor(to).length;
      const res = await post(body);
      if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
      await settle();
      return double.acceptedFor(to).slice(before);
    },
    storedEvents: () => ponte.db.prisma.inboundEvent.count(),
    async stop() {
      await ponte.stop();
      await double.close();
    },
  };
}

/** The words a person sees in an accepted message (text body, interactive body, template parameter). */
export function wordsOf(m: AcceptedMessage): string {
  const b = m.body as Json;
  if (m.type === 'text') return String((b.text as Json).body);
  if (m.type === 'interactive') return String(((b.interactive as Json).body as Json).text);
  if (m.type === 'template') return String((((b.template as Json).components as Json[])[0]!.parameters as Json[])[0]!.text);
  return '';
}

/** The reply options of an accepted interactive message: `[id, title]` pairs. */
export function optionsOf(m: AcceptedMessage): [string, string][] {
  const interactive = (m.body as Json).interactive as Json | undefined;
  if (!interactive) return [];
  const action = interactive.action as Json;
  if (interactive.type === 'button') return (action.buttons as Json[]).map((b) => [String((b.reply as Json).id), String((b.reply as Json).title)]);
  return (action.sections as Json[]).flatMap((s) => (s.rows as Json[]).map((r) => [String(r.id), String(r.title)] as [string, string]));
}
