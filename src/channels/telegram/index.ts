import { Bot } from 'grammy';
import type { LanguageCode } from 'grammy/types';
import type { FastifyPluginAsync } from 'fastify';
import type { ChannelFactory } from '../../app.js';
import { commandNames } from '../../core/commands.js';
import { markUnreachable } from '../../db/deliveries.js';
import { rememberTelegramBotUsername } from '../../db/info-days.js';
import { isSameSecret } from '../../http/secrets.js';
import { createJsonPoster, fetchForGrammy } from '../post-json.js';
import type { Channel, ChannelDeps } from '../types.js';
import { createTelegramSender } from './client.js';
import { TELEGRAM_CHANNEL, TelegramUpdate, allowedUpdates, toInbound } from './inbound.js';
import { createTelegramMedia } from './media.js';


/**
 * The Telegram channel, with grammY: a webhook (`POST /webhooks/telegram`, registered with
 * `secret_token` and `allowed_updates` at start when `PUBLIC_URL` is set) or long polling for a
 * machine without a public URL. Either way each update is stored before Telegram is answered
 * (for polling: before grammY confirms the offset), so an accepted update is never lost.
 */
export const createTelegramChannel: ChannelFactory = (deps: ChannelDeps): Channel => {
  const settings = deps.config.telegram!;
  const log = deps.log.child({ channel: TELEGRAM_CHANNEL });
  // A send must end well within the outbox's 30-second claim, or another worker may send it again.
  const bot = new Bot(settings.token, {
    // Calls go out on Node's plain HTTP client (post-json.ts): node-fetch, grammY's default,
    // copies every request, which showed on each reply's way out. grammY gives a call up after
    // 15 s; the poster's own limit only backs that up.
    client: { apiRoot: settings.apiRoot, timeoutSeconds: 15, fetch: fetchForGrammy(createJsonPoster(20_000)) },
  });
  const blocked = (chatId: string) => {
    markUnreachable(deps.db.prisma, TELEGRAM_CHANNEL, chatId).catch((err: unknown) => log.error({ err }, 'could not mark a chat unreachable'));
  };
  const sender = createTelegramSender(bot.api, { rate: settings.rate, chatRate: settings.chatRate }, blocked);

  /** Stores one update's events, then does the platform chores that must not delay storing. */
  async function receive(update: TelegramUpdate): Promise<void> {
    const inbound = toInbound(update);
    await deps.ingest(inbound.events);
    if (inbound.blockedChatId !== undefined) blocked(String(inbound.blockedChatId));
    const cb = inbound.callback;
    if (cb) {
      // Every press is answered (or the person sees a spinner), and the answered keyboard goes.
      void bot.api.answerCallbackQuery(cb.id).catch((err: unknown) => log.warn({ err: String(err) }, 'answerCallbackQuery failed'));
      if (cb.messageId !== undefined) {
        void bot.api
          .editMessageReplyMarkup(cb.chatId, cb.messageId, { reply_markup: { inline_keyboard: [] } })
          .catch((err: unknown) => log.debug({ err: String(err) }, 'keyboard already gone'));
      }
    }
  }

  const routes: FastifyPluginAsync = async (app) => {
    app.post('/webhooks/telegram', async (req, reply) => {
      if (!isSameSecret(req.headers['x-telegram-bot-api-secret-token'], settings.webhookSecret)) {
        return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'wrong or missing X-Telegram-Bot-Api-Secret-Token' });
      }
      const parsed = TelegramUpdate.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ error: 'BAD_UPDATE', message: 'not a Telegram Update' });
      await receive(parsed.data);
      return reply.code(200).send({ ok: true });
    });
  };

  /** The command menu in every language we speak (`language_code` picks it on the phone). */
  async function setCommands(): Promise<void> {
    const t = deps.translator;
    const commands = (lng: string) => commandNames.map((command) => ({ command, description: t.t(lng, `common:command_descriptions.${command}`) }));
    await bot.api.setMyCommands(commands(t.defaultLocale));
    // Telegram keys the menu by a two-letter language: a regional variant (pt-BR) shares its language's.
    for (const lng of t.locales.filter((l) => !l.includes('-'))) await bot.api.setMyCommands(commands(lng), { language_code: lng as LanguageCode });
  }

  return {
    name: TELEGRAM_CHANNEL,
    sender,
    media: createTelegramMedia(bot.api, settings, log),
    ...(settings.mode === 'webhook' ? { routes } : {}),
    async start() {
      try {
        await setCommands();
      } catch (err) {
        log.warn({ err: String(err) }, 'could not set the command menu');
      }
      try {
        // The deep links and QR codes the inbox shares need the bot's username.
        await rememberTelegramBotUsername(deps.db.prisma, (await bot.api.getMe()).username);
      } catch (err) {
        log.warn({ err: String(err) }, 'could not read the bot’s username');
      }
      if (settings.mode === 'webhook') {
        await bot.api.setWebhook(`${deps.config.publicUrl}/webhooks/telegram`, {
          secret_token: settings.webhookSecret!,
          allowed_updates: [...allowedUpdates],
        });
        log.info('webhook registered');
        return;
      }
      await bot.api.deleteWebhook();
      bot.use(async (ctx) => {
        const parsed = TelegramUpdate.safeParse(ctx.update);
        if (parsed.success) await receive(parsed.data);
        else log.warn({ updateId: ctx.update.update_id }, 'skipped an update that is not in the expected shape');
      });
      bot.catch((err) => log.error({ err: String(err.error) }, 'polling update failed'));
      // Long polls end within the client's 15-second timeout.
      void bot.start({ allowed_updates: [...allowedUpdates], drop_pending_updates: false, timeout: 10 }).catch((err: unknown) => log.error({ err: String(err) }, 'polling stopped'));
      log.info('long polling started');
    },
    async stop() {
      if (bot.isRunning()) await bot.stop();
    },
  };
};
