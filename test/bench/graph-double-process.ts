// The bench's WhatsApp Graph double in a process of its own. The double counts a send when its
// event loop gets to it; in the bench's process, collections of the bench's own heap (grown by
// the inbound runs) paused it long enough to count a little more than a second's sends in one.
// Started by the bench with an IPC channel: it sends its URL, then answers 'stats' and 'close'.
import { startGraphDouble } from '../doubles/graph-api.js';

export interface GraphStats {
  accepted: number;
  /** When the double accepted its first and last message (epoch ms). */
  first: number;
  last: number;
  throttled130429: number;
  /** The most messages accepted within any one sliding second. */
  busiestSecond: number;
}

const { GRAPH_TOKEN, GRAPH_PHONE_NUMBER_ID, GRAPH_RATE } = process.env;
if (!GRAPH_TOKEN || !GRAPH_PHONE_NUMBER_ID || !GRAPH_RATE || !process.send) throw new Error('start this with fork(), GRAPH_TOKEN, GRAPH_PHONE_NUMBER_ID and GRAPH_RATE');
const send = process.send.bind(process);

const graph = await startGraphDouble({ token: GRAPH_TOKEN, phoneNumberId: GRAPH_PHONE_NUMBER_ID, ratePerSecond: Number(GRAPH_RATE), keepBodies: false });
process.on('message', (message) => {
  if (message === 'stats') {
    const stats: GraphStats = {
      accepted: graph.accepted.length,
      first: graph.accepted[0]?.at ?? 0,
      last: graph.accepted.at(-1)?.at ?? 0,
      throttled130429: graph.refused.filter((r) => r.code === 130429).length,
      busiestSecond: graph.busiestSecond,
    };
    send({ stats });
  }
  if (message === 'close') void graph.close().then(() => process.exit(0));
});
send({ url: graph.url });
