import { createPonte } from './app.js';
import { configuredChannels } from './channels/index.js';
import { loadConfig, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';

/** Which channels the configuration turns on, for the start log (names only, never secrets). */
function channelStatus(config: Config): Record<string, string> {
  return {
    telegram: config.telegram ? `on (${config.telegram.mode})` : 'off: set TELEGRAM_BOT_TOKEN',
    whatsapp: config.whatsapp ? 'on' : 'off: set WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_APP_SECRET',
    botframework: config.botframework.appId ? 'on' : 'on (unauthenticated: local Emulator only; set MicrosoftAppId and MicrosoftAppPassword)',
  };
}

async function main(): Promise<void> {
  // A bad value throws a ConfigError: the catch below prints it as one line.
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const ponte = await createPonte({ config, log, channels: configuredChannels(config) });
  await ponte.http.listen({ port: config.port, host: config.host });
  await ponte.start();
  log.info({ port: config.port, database: ponte.db.dialect, channels: channelStatus(config) }, 'ponte is running');
  if (!config.telegram && !config.whatsapp) {
    log.info('no chat platform is configured yet: try the bot in a terminal with `npm run chat`, and see the README for the channels');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    ponte
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`ponte: configuration error: ${err.message}`);
  } else {
    console.error('ponte: could not start:', err instanceof Error ? `${err.name}: ${err.message}` : err);
  }
  process.exit(1);
});
