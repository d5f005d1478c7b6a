import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The channel-agnostic inbound event. Each channel's `inbound.ts` turns platform JSON into these;
 * nothing after it knows which platform the event came from.
 */
export const InboundContent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().max(16_384) }),
  /** A pressed button or list row; `choiceId` is the id we rendered (`<promptSeq>.<optionId>`). */
  z.object({ kind: z.literal('choice'), choiceId: z.string().max(256), label: z.string().max(1024).optional() }),
  z.object({
    kind: z.literal('media'),
    mediaKind: z.enum(['voice', 'audio', 'image', 'video', 'document', 'sticker', 'contact', 'reaction', 'other']),
    /** The platform's id for the file, kept so a coordinator can view it during a handover. */
    mediaRef: z.string().max(1024).optional(),
    mimeType: z.string().max(255).optional(),
    caption: z.string().max(4096).optional(),
  }),
  z.object({ kind: z.literal('location'), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
  /** A command such as `/start abc` or a platform's "get started"; `name` without the slash. */
  z.object({ kind: z.literal('command'), name: z.string().max(64), payload: z.string().max(256).optional() }),
  /**
   * From Ponte itself, never from a platform (no channel parser produces it): a coordinator's
   * action, or a flow started by the other side of a pair or the scheduler (`push`), queued
   * behind the person's own messages to keep their order.
   */
  z.object({ kind: z.literal('system'), name: z.enum(['handback', 'consult', 'push']), data: z.record(z.string(), z.unknown()).optional() }),
]);
export type InboundContent = z.infer<typeof InboundContent>;

export const InboundEvent = z.object({
  channel: z.string().min(1).max(32),
  /** The platform's id for this event; a redelivery carries the same one. */
  externalId: z.string().min(1).max(256),
  /** The platform's id for the person (chat id, wa_id, conversation id). */
  address: z.string().min(1).max(256),
  /** A language tag from the platform (Telegram language_code, Bot Framework locale), if any. */
  localeHint: z.string().max(35).optional(),
  receivedAt: z.number().int(),
  content: InboundContent,
});
export type InboundEvent = z.infer<typeof InboundEvent>;

type SystemContent = Extract<InboundContent, { kind: 'system' }>;

/**
 * An event of Ponte's own for a person's queue (a hand-back, a consultation, a flow pushed at
 * them), handled in their order like their own messages. `externalId` makes it once-only when
 * the same event may be written twice.
 */
export function systemEvent(
  to: { channel: string; address: string },
  content: Omit<SystemContent, 'kind'>,
  options: { externalId?: string; receivedAt?: number } = {},
): InboundEvent {
  return {
    channel: to.channel,
    address: to.address,
    externalId: options.externalId ?? `inbox:${randomUUID()}`,
    receivedAt: options.receivedAt ?? Date.now(),
    content: { kind: 'system', ...content },
  };
}

/** One option of a choice question, as the person sees it. */
export interface OutboundChoice {
  /** `<promptSeq>.<optionId>`: short enough for Telegram's 64-byte callback data. */
  id: string;
  label: string;
}

/**
 * The channel-agnostic outbound message. No flow sends anything else; each channel's
 * `render.ts` reshapes it to the platform's limits.
 */
export type OutboundMessage =
  | { kind: 'text'; locale: string; text: string }
  | { kind: 'choices'; locale: string; text: string; choices: OutboundChoice[] }
  | { kind: 'media'; locale: string; mediaKind: 'image' | 'document' | 'audio'; url: string; caption?: string }
  | {
      kind: 'file';
      locale: string;
      filename: string;
      mimeType: string;
      /** The file's bytes, base64: small files only (a person's data export is a few kilobytes). */
      data: string;
      caption: string;
      /** The same content as readable text, for channels that cannot carry a file. */
      fallbackText: string;
    }
  | {
      kind: 'template';
      locale: string;
      /** The template registered with the platform, sent when free-form messages are not allowed. */
      name: string;
      params: string[];
      /** The same words as plain text, for channels without templates. */
      text: string;
    };
