import type { ChannelFactory } from '../app.js';
import type { Config } from '../config.js';
import { createBotFrameworkChannel } from './botframework/index.js';
import { createTelegramChannel } from './telegram/index.js';
import { createWhatsAppChannel } from './whatsapp/index.js';

/**
 * The platform channels the configuration turns on. A channel whose credentials are absent is
 * off; the start log says which are on.
 */
export function configuredChannels(config: Config): ChannelFactory[] {
  const factories: ChannelFactory[] = [];
  if (config.telegram) factories.push(createTelegramChannel);
  if (config.whatsapp) factories.push(createWhatsAppChannel);
  // Always on: without MicrosoftAppId it accepts only a local Emulator (loopback serviceUrls).
  factories.push(createBotFrameworkChannel);
  return factories;
}
