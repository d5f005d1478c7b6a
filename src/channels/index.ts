import type { ChannelFactory } from '../app.js';
import type { Config } from '../config.js';
import { createTelegramChannel } from './telegram/index.js';

/**
 * The platform channels the configuration turns on. A channel whose credentials are absent is
 * off; the start log says which are on.
 */
export function configuredChannels(config: Config): ChannelFactory[] {
  const factories: ChannelFactory[] = [];
  if (config.telegram) factories.push(createTelegramChannel);
  return factories;
}
