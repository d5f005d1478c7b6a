import type { ChannelFactory } from '../app.js';
import type { Config } from '../config.js';

/**
 * The platform channels the configuration turns on. A channel whose credentials are absent is
 * off; the start log says which are on.
 */
export function configuredChannels(config: Config): ChannelFactory[] {
  const factories: ChannelFactory[] = [];
  void config;
  return factories;
}
