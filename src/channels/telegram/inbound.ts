import { z } from 'zod';
import type { InboundContent, InboundEvent } from '../../core/events.js';

export const TELEGRAM_CHANNEL = 'telegram';

/** The updates Ponte asks Telegram for (setWebhook / getUpdates `allowed_updates`). */
export const allowedUpdates = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

const User = z.object({ id: z.number().int(), is_bot: z.boolean().optional(), language_code: z.string().max(35).optional() }).loose();
const Chat = z.object({ id: z.number().int(), type: z.string() }).loose();
const FileRef = z.object({ file_id: z.string().max(1024), mime_type: z.string().max(255).optional() }).loose();

/** The fields of a Telegram `Message` Ponte reads; anything else passes through unread. */
const Message = z
  .object({
    message_id: z.number().int(),
    date: z.number().int(),
    chat: Chat,
    from: User.optional(),
    text: z.string().max(16_384).optional(),
    caption: z.string().max(4096).optional(),
    entities: z.array(z.object({ type: z.string(), offset: z.number().int(), length: z.number().int() }).loose()).optional(),
    voice: FileRef.optional(),
    audio: FileRef.optional(),
    video: FileRef.optional(),
    video_note: FileRef.optional(),
    document: FileRef.optional(),
    sticker: FileRef.optional(),
    photo: z.array(FileRef.extend({ width: z.number(), height: z.number() })).optional(),
    contact: z.object({}).loose().optional(),
    location: z.object({ latitude: z.number(), longitude: z.number() }).loose().optional(),
  })
  .loose();

/** A Telegram `Update`, checked for the shape Ponte relies on (400 otherwise). */
export const TelegramUpdate = z
  .object({
    update_id: z.number().int().nonnegative(),
    message: Message.optional(),
    edited_message: Message.optional(),
    callback_query: z
      .object({
        id: z.string().max(256),
        from: User,
        // An old message may be "inaccessible": then only chat, message_id and date 0 are sent.
        message: z.object({ message_id: z.number().int(), chat: Chat }).loose().optional(),
        data: z.string().max(256).optional(),
      })
      .loose()
      .optional(),
    my_chat_member: z
      .object({ chat: Chat, new_chat_member: z.object({ status: z.string() }).loose() })
      .loose()
      .optional(),
  })
  .loose();
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** What one update asks of Ponte: events to store, and platform chores once they are stored. */
export interface TelegramInbound {
  events: InboundEvent[];
  /** A pressed button: answer it (Telegram shows a spinner until we do) and clear its keyboard. */
  callback?: { id: string; chatId: number; messageId: number | undefined };
  /** The person blocked the bot: nothing more can reach them. */
  blockedChatId?: number;
}

/** `/start abc` → start with payload abc; `/menu@PonteBot` → menu. Deep-link payloads are 1–64 of A-Z a-z 0-9 _ -. */
function commandOf(text: string, entities: { type: string; offset: number; length: number }[] | undefined): InboundContent | undefined {
  const entity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!entity) return undefined;
  const name = text.slice(1, entity.length).split('@')[0]!.toLowerCase();
  const rest = text.slice(entity.length).trim();
  return /^[A-Za-z0-9_-]{1,64}$/.test(rest) ? { kind: 'command', name, payload: rest } : { kind: 'command', name };
}

function contentOf(m: z.infer<typeof Message>): InboundContent {
  if (m.text !== undefined) return commandOf(m.text, m.entities) ?? { kind: 'text', text: m.text };
  const caption = m.caption ? { caption: m.caption } : {};
  const media = (mediaKind: 'voice' | 'audio' | 'image' | 'video' | 'document' | 'sticker', f: z.infer<typeof FileRef>): InboundContent => ({
    kind: 'media',
    mediaKind,
    mediaRef: f.file_id,
    ...(f.mime_type ? { mimeType: f.mime_type } : {}),
    ...caption,
  });
  if (m.voice) return media('voice', m.voice);
  if (m.audio) return media('audio', m.audio);
  if (m.photo?.length) return media('image', m.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a)));
  if (m.video) return media('video', m.video);
  if (m.video_note) return media('video', m.video_note);
  if (m.document) return media('document', m.document);
  if (m.sticker) return media('sticker', m.sticker);
  if (m.location) return { kind: 'location', latitude: m.location.latitude, longitude: m.location.longitude };
  if (m.contact) return { kind: 'media', mediaKind: 'contact' };
  return { kind: 'media', mediaKind: 'other' };
}

/**
 * Turns an update into core events. Only private chats are conversations; an edited message is
 * not a new answer (the person already got a reply to the first version), so it is not stored.
 */
export function toInbound(update: TelegramUpdate, receivedAt = Date.now()): TelegramInbound {
  const externalId = String(update.update_id);
  if (update.message && update.message.chat.type === 'private') {
    const m = update.message;
    const hint = m.from?.language_code;
    return {
      events: [{ channel: TELEGRAM_CHANNEL, externalId, address: String(m.chat.id), receivedAt, content: contentOf(m), ...(hint ? { localeHint: hint } : {}) }],
    };
  }
  const q = update.callback_query;
  if (q) {
    const chatId = q.message?.chat.id ?? q.from.id;
    const hint = q.from.language_code;
    return {
      events: q.data
        ? [{ channel: TELEGRAM_CHANNEL, externalId, address: String(chatId), receivedAt, content: { kind: 'choice', choiceId: q.data }, ...(hint ? { localeHint: hint } : {}) }]
        : [],
      callback: { id: q.id, chatId, messageId: q.message?.message_id },
    };
  }
  const member = update.my_chat_member;
  if (member && member.chat.type === 'private' && member.new_chat_member.status === 'kicked') return { events: [], blockedChatId: member.chat.id };
  return { events: [] };
}
