import { createPonte, type Ponte } from '../../src/app.js';
import { createLocalSender } from '../../src/channels/local/client.js';
import { toInboundEvent } from '../../src/channels/local/inbound.js';
import type { ChannelSender } from '../../src/channels/types.js';
import { loadConfig } from '../../src/config.js';
import type { OutboundMessage } from '../../src/core/events.js';
import { createLogger } from '../../src/log.js';

export interface Delivered {
  address: string;
  text: string;
  message: OutboundMessage;
}

export interface TestPonte {
  ponte: Ponte;
  /** Every message the local channel delivered, in delivery order. */
  delivered: Delivered[];
  /** Sends a line as `identity`, waits until it is handled and its replies delivered, returns them. */
  say(identity: string, line: string, localeHint?: string): Promise<Delivered[]>;
  /** Waits until every queued event is handled and every due message delivered. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** A Ponte on the given database with the local channel, plus any extra senders. */
export async function startTestPonte(databaseUrl: string, extraSenders: ChannelSender[] = [], log = createLogger('silent')): Promise<TestPonte> {
  const delivered: Delivered[] = [];
  const config = loadConfig({ DATABASE_URL: databaseUrl });
  const ponte = await createPonte({
    config,
    log,
    senders: [createLocalSender((address, text, message) => delivered.push({ address, text, message })), ...extraSenders],
    pollMs: 50,
  });
  await ponte.start();
  const settle = async () => {
    await ponte.processor.idle();
    await ponte.outbox.drained();
  };
  return {
    ponte,
    delivered,
    settle,
    async say(identity, line, localeHint) {
      const before = delivered.length;
      await ponte.ingest([toInboundEvent(identity, line, localeHint)]);
      await settle();
      return delivered.slice(before).filter((d) => d.address === identity);
    },
    stop: () => ponte.stop(),
  };
}
