import type { InboundEvent } from '../core/events.js';
import type { Dialect } from '../db/client.js';
import type { GroupCommitter } from '../db/group-commit.js';
import { insertInboundEvents } from '../db/inbound-events.js';
import type { Metrics } from '../metrics.js';
import type { Processor } from './processor.js';

export interface IngestResult {
  stored: number;
  duplicates: number;
}

/** Records inbound events durably; a webhook answers 2xx only after this resolves. */
export type Ingest = (events: readonly InboundEvent[]) => Promise<IngestResult>;

/**
 * The durable inbox's front door: the events are committed (with other requests' events, in one
 * transaction) and only then handed to the processor. Redeliveries are counted, not stored.
 */
export function createIngest(deps: { committer: GroupCommitter; dialect: Dialect; processor: Processor; metrics: Metrics }): Ingest {
  const { committer, dialect, processor, metrics } = deps;
  return async (events) => {
    if (events.length === 0) return { stored: 0, duplicates: 0 };
    const stored = await committer.run((tx) => insertInboundEvents(tx, dialect, [...events]));
    for (const e of events) metrics.inboundReceived.inc({ channel: e.channel });
    if (events.length > stored.length) metrics.inboundDuplicates.inc({ channel: events[0]!.channel }, events.length - stored.length);
    processor.enqueue(stored);
    return { stored: stored.length, duplicates: events.length - stored.length };
  };
}
