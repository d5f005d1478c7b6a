import { z } from 'zod';
import type { InboundContent, InboundEvent } from '../../core/events.js';
import { localeHintFromPhone } from '../../core/language.js';
import type { DeliveryState } from '../../db/deliveries.js';

/** The WhatsApp channel's name, in events, outbox rows and people. */
export const WHATSAPP_CHANNEL = 'whatsapp';

/** A file the person sent: we keep its id (viewable by a coordinator), never download it here. */
const Media = z.object({
  id: z.string().max(1024).optional(),
  mime_type: z.string().max(255).optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

/**
 * One inbound message. Only what we read is declared; zod drops the rest, so a new field from
 * Meta never turns a webhook into a 400.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */
const Message = z.object({
  from: z.string().min(1).max(256),
  id: z.string().min(1).max(256),
  timestamp: z.string().optional(),
  type: z.string().min(1).max(64),
  text: z.object({ body: z.string() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.object({ payload: z.string().optional(), text: z.string() }).optional(),
  audio: Media.optional(),
  image: Media.optional(),
  video: Media.optional(),
  document: Media.optional(),
  sticker: Media.optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  contacts: z.array(z.unknown()).optional(),
  reaction: z.object({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
});
type Message = z.infer<typeof Message>;

/** A status callback for one of our messages; other status words (Meta adds some) are ignored. */
const Status = z.object({
  id: z.string().min(1).max(256),
  status: z.string().max(32),
  recipient_id: z.string().max(256).optional(),
  errors: z.array(z.object({ code: z.number() })).optional(),
});

/**
 * The webhook body: the documented envelope. Changes of other fields (template status, account
 * updates) parse too, with nothing we read in them.
 */
export const WhatsAppWebhook = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.object({
            messaging_product: z.string().optional(),
            metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }).optional(),
            contacts: z.array(z.object({ wa_id: z.string().optional() })).optional(),
            messages: z.array(Message).optional(),
            statuses: z.array(Status).optional(),
          }),
        }),
      ),
    }),
  ),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhook>;

/** A delivery status as Ponte records it. */
export interface WhatsAppStatus {
  /** Our message's wamid. */
  messageId: string;
  state: DeliveryState;
  recipient: string | undefined;
  /** The first error's code for a `failed` status (131026 undeliverable, 131047 window closed). */
  errorCode: number | undefined;
}

const mediaKinds = { audio: 'audio', image: 'image', video: 'video', document: 'document', sticker: 'sticker' } as const;
const states: ReadonlySet<string> = new Set<DeliveryState>(['sent', 'delivered', 'read', 'failed']);

function messages(body: WhatsAppWebhook): Message[] {
  return body.entry.flatMap((e) => e.changes.flatMap((c) => (c.field === 'messages' ? (c.value.messages ?? []) : [])));
}

function toContent(m: Message): InboundContent {
  switch (m.type) {
    case 'text':
      if (m.text) return { kind: 'text', text: m.text.body };
      break;
    case 'interactive': {
      const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
      if (reply) return { kind: 'choice', choiceId: reply.id, label: reply.title };
      break;
    }
    case 'button':
      // A template's quick-reply button: its payload is what we registered, the text what was shown.
      if (m.button) return { kind: 'choice', choiceId: m.button.payload ?? m.button.text, label: m.button.text };
      break;
    case 'audio':
    case 'image':
    case 'video':
    case 'document':
    case 'sticker': {
      const file = m[m.type];
      const mediaKind = m.type === 'audio' && file?.voice ? 'voice' : mediaKinds[m.type];
      return {
        kind: 'media',
        mediaKind,
        ...(file?.id ? { mediaRef: file.id } : {}),
        ...(file?.mime_type ? { mimeType: file.mime_type } : {}),
        ...(file?.caption ? { caption: file.caption.slice(0, 4096) } : {}),
      };
    }
    case 'location':
      if (m.location) return { kind: 'location', latitude: m.location.latitude, longitude: m.location.longitude };
      break;
    case 'contacts':
      return { kind: 'media', mediaKind: 'contact' };
    case 'reaction':
      // A reaction points at one of our messages; a removed reaction arrives without `emoji`.
      return { kind: 'media', mediaKind: 'reaction', ...(m.reaction?.message_id ? { mediaRef: m.reaction.message_id } : {}) };
  }
  // `unsupported` (polls, view-once media), and any type Meta adds later.
  return { kind: 'media', mediaKind: 'other' };
}

/**
 * Turns a webhook body into inbound events, one per message, in the order given. The wamid is
 * the event's id (redeliveries carry the same one); the number's calling code is the only
 * language hint WhatsApp gives.
 */
export function toInboundEvents(body: WhatsAppWebhook, now: number = Date.now()): InboundEvent[] {
  return messages(body).map((m) => {
    const localeHint = localeHintFromPhone(m.from);
    return {
      channel: WHATSAPP_CHANNEL,
      externalId: m.id,
      address: m.from,
      receivedAt: now,
      ...(localeHint ? { localeHint } : {}),
      content: toContent(m),
    };
  });
}

/** The delivery statuses of a webhook body (they arrive apart from messages, and out of order). */
export function toStatuses(body: WhatsAppWebhook): WhatsAppStatus[] {
  return body.entry.flatMap((e) =>
    e.changes.flatMap((c) =>
      (c.field === 'messages' ? (c.value.statuses ?? []) : [])
        .filter((s) => states.has(s.status))
        .map((s) => ({ messageId: s.id, state: s.status as DeliveryState, recipient: s.recipient_id, errorCode: s.errors?.[0]?.code })),
    ),
  );
}
