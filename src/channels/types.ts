import type { OutboundMessage } from '../core/events.js';

/** A channel's send side, as the outbox sees it. Each channel's `client.ts` provides one. */
export interface ChannelSender {
  readonly channel: string;
  /** Sends per second for the whole channel (0: no limit). */
  readonly ratePerSecond: number;
  /** Sends per second to one person, with a small burst (0: no limit). */
  readonly ratePerAddress: number;
  /**
   * Delivers one outbound message, reshaped to the platform's limits by the channel's renderer
   * (it may take several platform messages). Throws PlatformError or NetworkError.
   * Returns the platform's id for the (last) message sent, when it gives one.
   */
  send(address: string, message: OutboundMessage): Promise<{ platformMessageId?: string }>;
}
