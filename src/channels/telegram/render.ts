import type { OutboundMessage } from '../../core/events.js';
import { splitText } from '../split-text.js';

/** Telegram's limits (core.telegram.org/bots/api): message text, captions, callback data. */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const CALLBACK_DATA_BYTES = 64;

/** One Bot API call, ready for the client: method and parameters without the chat id. */
export type TelegramCall =
  | { method: 'sendMessage'; params: { text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } } }
  | { method: 'sendPhoto'; params: { photo: string; caption?: string } }
  | { method: 'sendDocument'; params: { document: string; caption?: string } }
  | { method: 'sendAudio'; params: { audio: string; caption?: string } }
  /** A file we send ourselves (multipart upload), not one at a URL. */
  | { method: 'sendDocumentFile'; params: { data: Buffer; filename: string; caption: string } };

const fitsCallbackData = (id: string) => Buffer.byteLength(id, 'utf8') <= CALLBACK_DATA_BYTES && id.length > 0;

/**
 * The one place that knows Telegram's limits. Choices become an inline keyboard (one button a
 * row: labels in some languages are long) on the last piece of the text; if an id would not fit
 * in callback data the options are numbered in the text instead, answered by their number.
 */
export function render(message: OutboundMessage): TelegramCall[] {
  switch (message.kind) {
    case 'text':
    case 'template':
      return splitText(message.text, TEXT_LIMIT).map((text) => ({ method: 'sendMessage', params: { text } }));
    case 'choices': {
      if (!message.choices.every((c) => fitsCallbackData(c.id))) {
        const numbered = [message.text, '', ...message.choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n');
        return splitText(numbered, TEXT_LIMIT).map((text) => ({ method: 'sendMessage', params: { text } }));
      }
      const pieces = splitText(message.text, TEXT_LIMIT);
      const keyboard = { inline_keyboard: message.choices.map((c) => [{ text: c.label, callback_data: c.id }]) };
      return pieces.map((text, i) => ({ method: 'sendMessage', params: i === pieces.length - 1 ? { text, reply_markup: keyboard } : { text } }));
    }
    case 'media': {
      const [caption, ...more] = message.caption ? splitText(message.caption, CAPTION_LIMIT) : [];
      const captioned = caption ? { caption } : {};
      const first: TelegramCall =
        message.mediaKind === 'image'
          ? { method: 'sendPhoto', params: { photo: message.url, ...captioned } }
          : message.mediaKind === 'audio'
            ? { method: 'sendAudio', params: { audio: message.url, ...captioned } }
            : { method: 'sendDocument', params: { document: message.url, ...captioned } };
      return [first, ...more.map((text): TelegramCall => ({ method: 'sendMessage', params: { text } }))];
    }
    case 'file':
      return [{ method: 'sendDocumentFile', params: { data: Buffer.from(message.data, 'base64'), filename: message.filename, caption: [...message.caption].slice(0, CAPTION_LIMIT).join('') } }];
  }
}
