import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, on their own registry (so tests can build several apps). */
export interface Metrics {
  registry: Registry;
  inboundReceived: Counter<'channel'>;
  inboundDuplicates: Counter<'channel'>;
  inboundHandled: Counter<'channel' | 'result'>;
  handleSeconds: Histogram<'channel'>;
  outbound: Counter<'channel' | 'result'>;
  sendSeconds: Histogram<'channel'>;
  outboxDepth: Gauge;
  jobLagSeconds: Gauge<'job'>;
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** `depth` is read at scrape time, so the gauge never goes stale between scrapes. */
export function createMetrics(depth: () => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ponte_' });
  const registers = [registry];
  return {
    registry,
    inboundReceived: new Counter({ name: 'ponte_inbound_events_total', help: 'Inbound events received, by channel', labelNames: ['channel'], registers }),
    inboundDuplicates: new Counter({
      name: 'ponte_inbound_duplicates_total',
      help: 'Inbound events already stored (platform redeliveries), by channel',
      labelNames: ['channel'],
      registers,
    }),
    inboundHandled: new Counter({
      name: 'ponte_inbound_handled_total',
      help: 'Inbound events handled, by channel and result',
      labelNames: ['channel', 'result'],
      registers,
    }),
    handleSeconds: new Histogram({
      name: 'ponte_inbound_handle_seconds',
      help: 'Time to handle one inbound event and commit its effects',
      labelNames: ['channel'],
      buckets: latencyBuckets,
      registers,
    }),
    outbound: new Counter({
      name: 'ponte_outbound_messages_total',
      help: 'Outbound sends, by channel and result (sent, retry, failed)',
      labelNames: ['channel', 'result'],
      registers,
    }),
    sendSeconds: new Histogram({
      name: 'ponte_outbound_send_seconds',
      help: 'Time of one platform send call',
      labelNames: ['channel'],
      buckets: latencyBuckets,
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'ponte_outbox_depth',
      help: 'Messages waiting in the outbox',
      registers,
      async collect() {
        this.set(await depth());
      },
    }),
    jobLagSeconds: new Gauge({
      name: 'ponte_job_lag_seconds',
      help: 'How late the last run of each scheduled job started',
      labelNames: ['job'],
      registers,
    }),
  };
}
