import { GrammyError, HttpError, InputFile, type Api } from 'grammy';
import { NetworkError, PlatformError } from '../../errors.js';
import type { ChannelSender } from '../types.js';
import { TELEGRAM_CHANNEL } from './inbound.js';
import { render, type TelegramCall } from './render.js';

/**
 * Turns a Bot API failure into Ponte's error types. Telegram's `error_code` is "subject to
 * change", so we branch on it plus `parameters`, and read `description` only for 400/403.
 */
export function toPlatformError(err: unknown, onBlocked?: () => void): Error {
  if (err instanceof GrammyError) {
    const details = { platformCode: err.error_code, status: err.error_code };
    if (err.error_code === 429) {
      return new PlatformError(err.description, { ...details, retryAfterSec: err.parameters.retry_after ?? 1, scope: 'address' }, { cause: err });
    }
    if (err.error_code === 403 || (err.error_code === 400 && /chat not found|user is deactivated/i.test(err.description))) {
      onBlocked?.();
      return new PlatformError(err.description, { ...details, permanent: true }, { cause: err });
    }
    // Other 4xx mean this request can never succeed as it is; 5xx are Telegram's trouble.
    return new PlatformError(err.description, { ...details, permanent: err.error_code < 500 }, { cause: err });
  }
  if (err instanceof HttpError) return new NetworkError(`Telegram did not answer: ${err.message}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

async function call(api: Api, chatId: string, c: TelegramCall): Promise<number> {
  switch (c.method) {
    case 'sendMessage':
      return (await api.sendMessage(chatId, c.params.text, c.params.reply_markup ? { reply_markup: c.params.reply_markup } : {})).message_id;
    case 'sendPhoto':
      return (await api.sendPhoto(chatId, c.params.photo, c.params.caption ? { caption: c.params.caption } : {})).message_id;
    case 'sendDocument':
      return (await api.sendDocument(chatId, c.params.document, c.params.caption ? { caption: c.params.caption } : {})).message_id;
    case 'sendAudio':
      return (await api.sendAudio(chatId, c.params.audio, c.params.caption ? { caption: c.params.caption } : {})).message_id;
    case 'sendDocumentFile':
      return (await api.sendDocument(chatId, new InputFile(c.params.data, c.params.filename), { caption: c.params.caption })).message_id;
  }
}

/**
 * Telegram's sender for the outbox: about 30 messages a second overall and about one a second
 * per chat (short bursts allowed), both configurable. `onBlocked` hears of a person who blocked
 * the bot or whose chat is gone.
 */
export function createTelegramSender(api: Api, rates: { rate: number; chatRate: number }, onBlocked: (chatId: string) => void): ChannelSender {
  return {
    channel: TELEGRAM_CHANNEL,
    ratePerSecond: rates.rate,
    ratePerAddress: rates.chatRate,
    async send(address, message) {
      let last: number | undefined;
      for (const c of render(message)) {
        try {
          last = await call(api, address, c);
        } catch (err) {
          throw toPlatformError(err, () => onBlocked(address));
        }
      }
      return last === undefined ? {} : { platformMessageId: String(last) };
    },
  };
}
