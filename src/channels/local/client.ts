import type { ChannelSender } from '../types.js';
import type { OutboundMessage } from '../../core/events.js';
import { LOCAL_CHANNEL } from './inbound.js';
import { render } from './render.js';

/** Where the local channel's messages go: the terminal, or a test's list. */
export type LocalSink = (address: string, text: string, message: OutboundMessage) => void;

/** The local channel's sender: no platform, no limits, the rendered text handed to the sink. */
export function createLocalSender(sink: LocalSink): ChannelSender {
  let sent = 0;
  return {
    channel: LOCAL_CHANNEL,
    ratePerSecond: 0,
    ratePerAddress: 0,
    async send(address, message) {
      sink(address, render(message), message);
      sent += 1;
      return { platformMessageId: `local-${sent}` };
    },
  };
}
