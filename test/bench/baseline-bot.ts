// The benchmark's baseline: a minimal grammY webhook bot that stores nothing and answers every
// message with one send. The bench runs it in a process of its own, as the service runs.
import { createServer } from 'node:http';
import { Bot, webhookCallback } from 'grammy';

const { BASELINE_TOKEN, BASELINE_API_ROOT, BASELINE_SECRET, PORT, KEEP_ALIVE_MS } = process.env;
if (!BASELINE_TOKEN || !BASELINE_API_ROOT || !BASELINE_SECRET || !PORT) throw new Error('BASELINE_TOKEN, BASELINE_API_ROOT, BASELINE_SECRET and PORT are required');

const bot = new Bot(BASELINE_TOKEN, {
  client: { apiRoot: BASELINE_API_ROOT },
  // Known up front, so that no getMe call is needed.
  botInfo: { id: 999, is_bot: true, first_name: 'Base', username: 'base_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as never,
});
bot.on('message', (ctx) => ctx.reply('ok'));
const server = createServer(webhookCallback(bot, 'http', { secretToken: BASELINE_SECRET }));
// Idle connections stay open as long as the service's: with Node's 5 s they closed while another
// target had its turn, and a person's next request raced the close.
if (KEEP_ALIVE_MS) server.keepAliveTimeout = Number(KEEP_ALIVE_MS);
server.listen(Number(PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
