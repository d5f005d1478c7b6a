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
 * transaction), handled in that same transaction where the person is free, and acknowledged only
 * once on disk. The replies go to the outbox at commit, while the disk catches up: a power cut
 * in between can only make the platform deliver the event again. Redeliveries are counted, not
 * stored.
 */
export function createIngest(deps: { committer: GroupCommitter; dialect: Dialect; processor: Processor; metrics: Metrics }): Ingest {
  const { committer, dialect, processor, metrics } = deps;
  return async (events) => {
    if (events.length === 0) return { stored: 0, duplicates: 0 };
    const { stored, afterCommit } = await committer.run(
      async (tx) => {
        const stored = await insertInboundEvents(tx, dialect, [...events]);
        return { stored, afterCommit: await processor.handleWithin(tx, stored) };
      },
      // Most turns need only statements.ts; one that makes a Prisma call fails here, is undone
      // and is handled again in the person's queue, in a Prisma transaction (handleWithin).
      { durable: false, statementsOnly: true },
    );
    for (const e of events) metrics.inboundReceived.inc({ channel: e.channel });
    if (events.length > stored.length) metrics.inboundDuplicates.inc({ channel: events[0]!.channel }, events.length - stored.length);
    afterCommit();
    await committer.flush();
    return { stored: stored.length, duplicates: events.length - stored.length };
  };
}
