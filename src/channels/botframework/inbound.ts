import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundContent, InboundEvent } from '../../core/events.js';

/** The Bot Framework channel's name in Ponte (one channel for Teams, Web Chat, the Emulator…). */
export const BOTFRAMEWORK_CHANNEL = 'botframework';

/** The longest `address` and `externalId` the inbox stores (`InboundEvent` in core/events.ts). */
const KEY_LIMIT = 256;
/** The core refuses longer texts; a Teams message may be longer (its limit is in kilobytes). */
const TEXT_LIMIT = 16_384;

const ChannelAccount = z.object({ id: z.string().min(1).max(1024), aadObjectId: z.string().max(128).optional(), role: z.string().optional() }).loose();

/**
 * The fields of a Bot Framework `Activity` Ponte reads (botframework-activity spec); anything
 * else passes through unread to botbuilder. A body without them gets 400 and nothing is stored.
 */
export const BotActivity = z
  .object({
    type: z.string().min(1).max(64),
    // The spec lets activities that were never recorded (typing) go without an id; the ones we
    // turn into events must have one, since it is the redelivery key (checked below).
    id: z.string().min(1).max(1024).optional(),
    channelId: z.string().min(1).max(64),
    // Spec A2300/A2304: always sent; replies go there, so it must be an http(s) URL.
    serviceUrl: z.string().max(2048).regex(/^https?:\/\/[^\s]+$/i, 'must be an http(s) URL'),
    from: ChannelAccount,
    conversation: z
      .object({ id: z.string().min(1).max(1024), conversationType: z.string().max(64).optional(), tenantId: z.string().max(128).optional() })
      .loose(),
    recipient: ChannelAccount.extend({ name: z.string().max(1024).optional() }),
    text: z.string().optional(),
    value: z.unknown().optional(),
    locale: z.string().max(64).optional(),
    attachments: z
      .array(z.object({ contentType: z.string().max(255), contentUrl: z.string().optional(), content: z.unknown().optional(), name: z.string().optional() }).loose())
      .max(64)
      .optional(),
    entities: z.array(z.object({ type: z.string(), text: z.string().optional(), mentioned: z.object({ id: z.string() }).loose().optional() }).loose()).optional(),
    membersAdded: z.array(ChannelAccount).optional(),
    channelData: z.object({ tenant: z.object({ id: z.string().max(128) }).loose().optional() }).loose().optional(),
  })
  .loose()
  .refine((a) => a.id !== undefined || (a.type !== 'message' && a.type !== 'conversationUpdate'), {
    message: 'a message or conversationUpdate activity needs an id',
    path: ['id'],
  });
export type BotActivity = z.infer<typeof BotActivity>;

/** A key that fits the inbox's columns: long platform ids (Teams thread ids) are hashed, stably. */
function boundedKey(key: string): string {
  if (key.length <= KEY_LIMIT) return key;
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The person's address: the conversation to reply into. In a Teams personal chat or a Web Chat
 * session the conversation belongs to one person, and it is what proactive sends need.
 */
export function addressOf(activity: Pick<BotActivity, 'channelId' | 'conversation'>): string {
  return boundedKey(`${activity.channelId}:${activity.conversation.id}`);
}

/** Only these languages tags fit the inbox (BCP 47 tags are short; `pt-PT`, `zh-Hans-CN`). */
function localeHint(activity: BotActivity): string | undefined {
  const locale = activity.locale?.trim();
  return locale && locale.length <= 35 && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(locale) ? locale : undefined;
}

/**
 * Teams puts the bot's @mention into the text (`<at>Ponte</at> menu`) whenever the person
 * mentions it (msteams-docs `conversation-messages.md`, "Mentions"). A leading mention of the bot
 * is dropped so commands and typed numbers still read; other mentions stay.
 */
function withoutBotMention(activity: BotActivity, text: string): string {
  if (activity.channelId !== 'msteams') return text;
  const mentions = (activity.entities ?? []).filter((e) => e.type === 'mention');
  const ofBot = mentions.filter((e) => e.mentioned?.id === activity.recipient.id && e.text).map((e) => e.text!);
  const leading = /^\s*(<at>[^<]*<\/at>)\s*/i.exec(text);
  if (!leading) return text;
  // Without mention entities (older clients) a leading <at> in a chat with the bot is the bot.
  const isBot = mentions.length === 0 || ofBot.some((m) => m.toLowerCase() === leading[1]!.toLowerCase());
  return isBot ? text.slice(leading[0].length) : text;
}

/** A choice we rendered (messageBack or Action.Submit) carries `{ choiceId }` in `value`. */
const ChoiceValue = z.object({ choiceId: z.string().min(1).max(256) }).loose();

/**
 * Attachments that are a file the person sent. Teams adds a `text/html` copy of every message,
 * and cards are ours: those are not media.
 */
function mediaOf(attachment: NonNullable<BotActivity['attachments']>[number]): InboundContent | undefined {
  const type = attachment.contentType.toLowerCase();
  if (type.startsWith('text/') || type.startsWith('application/vnd.microsoft.card.')) return undefined;
  // A file in a Teams personal chat: content.downloadUrl is a short-lived, pre-authorised URL.
  const teamsFile = type === 'application/vnd.microsoft.teams.file.download.info';
  const content = attachment.content as { downloadUrl?: unknown; fileType?: unknown } | undefined;
  const url = teamsFile && typeof content?.downloadUrl === 'string' ? content.downloadUrl : attachment.contentUrl;
  const mediaKind = teamsFile
    ? 'document'
    : type.startsWith('image/')
      ? 'image'
      : type.startsWith('audio/')
        ? 'audio'
        : type.startsWith('video/')
          ? 'video'
          : type.startsWith('application/')
            ? 'document'
            : 'other';
  return {
    kind: 'media',
    mediaKind,
    ...(url && url.length <= 1024 ? { mediaRef: url } : {}),
    ...(!teamsFile && type.length <= 255 ? { mimeType: type } : {}),
  };
}

/** What an activity says, in core terms; undefined when it says nothing Ponte answers. */
function contentOf(activity: BotActivity): InboundContent | undefined {
  if (activity.type === 'conversationUpdate') {
    // Greet the people added (msteams-docs `subscribe-to-conversation-events.md`): the bot's own
    // arrival is the recipient being added, and needs no answer.
    const person = (activity.membersAdded ?? []).some((m) => m.id !== activity.recipient.id);
    return person ? { kind: 'command', name: 'start' } : undefined;
  }
  if (activity.type !== 'message') return undefined;
  const text = withoutBotMention(activity, activity.text ?? '').trim();
  const choice = ChoiceValue.safeParse(activity.value);
  if (choice.success) {
    // messageBack: `text` is the label we set; `displayText` never reaches the bot (spec A7355).
    return { kind: 'choice', choiceId: choice.data.choiceId, ...(text ? { label: text.slice(0, 1024) } : {}) };
  }
  if (text) return { kind: 'text', text: text.slice(0, TEXT_LIMIT) };
  for (const attachment of activity.attachments ?? []) {
    const media = mediaOf(attachment);
    if (media) return media;
  }
  return undefined;
}

/**
 * Turns an activity into inbound events: a message (text, a pressed button, a file), or a person
 * joining the conversation (`start`). Typing, reactions, invokes and the rest give none.
 * The dedupe key is channel, conversation and activity id: activity ids are unique only within
 * a conversation.
 */
export function toInboundEvents(activity: BotActivity, receivedAt: number = Date.now()): InboundEvent[] {
  const content = contentOf(activity);
  if (!content || activity.id === undefined) return [];
  const hint = localeHint(activity);
  return [
    {
      channel: BOTFRAMEWORK_CHANNEL,
      externalId: boundedKey(`${activity.channelId}:${activity.conversation.id}:${activity.id}`),
      address: addressOf(activity),
      receivedAt,
      ...(hint ? { localeHint: hint } : {}),
      content,
    },
  ];
}
