// `npm run bench`: Ponte's speed beside a baseline, measured in one run on this machine.
//
// 1. Inbound: simulated people send Telegram updates through the real webhook of the real
//    service (compiled by `npm run build` and run in a child process, as `npm start` runs it) to
//    a local double of the Bot API; latency is from the webhook POST to the platform send. The
//    same load runs against a bare grammY webhook bot that stores nothing and answers every
//    message with one send, in a process of its own as the service is; the targets take turns.
//    SQLite always; PostgreSQL when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set.
// 2. Fan-out: a survey to 50,000 WhatsApp people (BENCH_FANOUT to change), the Graph double (in a
//    process of its own) enforcing 1,000 messages/s (BENCH_CAP): time to enqueue, the service's
//    peak memory, the achieved send rate against the cap, how many 130429 answers it got, and
//    the most messages the double accepted within one sliding second (the margin to the cap).
//
// Prints a table and writes bench-results/bench.json.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboundMessage } from '../../src/core/events.js';
import { openDb } from '../../src/db/client.js';
import { createGroupCommitter } from '../../src/db/group-commit.js';
import { enqueueMessages } from '../../src/db/outbox.js';
import { migrate } from '../../src/db/migrate.js';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-api.js';
import type { GraphStats } from './graph-double-process.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { freePort, root, runBuilt, runEntryAsService } from '../helpers/spawn.js';

const SECRET = 'bench_secret';
/** How long the double and the baseline keep an idle connection: as long as the service does (fastify's default). */
const KEEP_ALIVE_MS = 72_000;
const levels = (process.env.BENCH_LEVELS ?? '1,50,500').split(',').map(Number);
const secondsPerLevel = Number(process.env.BENCH_SECONDS ?? 10);
const fanoutSize = Number(process.env.BENCH_FANOUT ?? 50_000);
const cap = Number(process.env.BENCH_CAP ?? 1000);
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
/**
 * Seconds of the same load, not counted, before each target is measured: a process that has
 * just started compiles its code and its first queries, which says nothing about its pace. The
 * service's CPU time per message still fell for a few seconds after a warm-up of one.
 */
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
/** Messages a second each paced person writes (0 leaves the paced runs out). */
const pace = Number(process.env.BENCH_PACE ?? 1);
/**
 * The flat-out runs of a level take turns in this many rounds (BENCH_SECONDS split between
 * them): the machine's pace drifts from minute to minute, and turns expose every target to the
 * same drift instead of giving one target a fast minute and the next a slow one.
 */
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));

interface InboundResult {
  target: string;
  people: number;
  pace: string;
  messages: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}


const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Waits for the double's next send to `chatId`. */
function replyWaiter(double: TelegramDouble) {
  const waiting = new Map<string, () => void>();
  const push = double.sent.push.bind(double.sent);
  double.sent.push = (...items) => {
    for (const item of items) {
      const resolve = waiting.get(item.chatId);
      if (resolve) {
        waiting.delete(item.chatId);
        resolve();
      }
    }
    // Keep memory flat over long runs: the bench needs the moment, not the list.
    void push;
    return 0;
  };
  return (chatId: string) => new Promise<void>((resolve) => waiting.set(chatId, resolve));
}

let nextUpdateId = Math.floor(Math.random() * 1e9);

/** Chat ids for `count` simulated people, new to every target. */
function crowd(count: number): number[] {
  const base = 10_000_000 + Math.floor(Math.random() * 1e6) * 1000;
  return Array.from({ length: count }, (_, i) => base + i);
}

/**
 * Load from `people` at once, for `seconds`; returns each message's latency. Closed loop (no
 * `pace`): each person sends, waits for the reply and sends again at once, which finds the most
 * messages a second the target can take. Paced: each person writes `pace` messages a second (as
 * people chatting do, with time to read and type), and latency counts from when the message was
 * due, so a late reply is never hidden.
 */
async function load(url: string, double: TelegramDouble, people: readonly number[], seconds: number, pace?: number): Promise<number[]> {
  const nextReply = replyWaiter(double);
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    people.map(async (chatId) => {
      let due = started + (pace ? Math.random() * (1000 / pace) : 0);
      while (due < deadline) {
        if (pace) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        const update = nextUpdateId++;
        const body = JSON.stringify({
          update_id: update,
          message: { message_id: update, date: 1_700_000_000, from: { id: chatId, is_bot: false, first_name: 'B', language_code: 'en' }, chat: { id: chatId, type: 'private' }, text: 'hello' },
        });
        const from = pace ? due : performance.now();
        const replied = nextReply(String(chatId));
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url}: webhook answered ${res.status}`);
        await replied;
        latencies.push(performance.now() - from);
        due = pace ? due + 1000 / pace : performance.now();
      }
    }),
  );
  return latencies;
}

function summarise(target: string, people: number, pace: number | undefined, latencies: number[], seconds: number): InboundResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    target,
    people,
    pace: pace ? `${pace}/s each` : 'flat out',
    messages: sorted.length,
    perSecond: round(sorted.length / seconds),
    p50: round(percentile(sorted, 50), 2),
    p95: round(percentile(sorted, 95), 2),
    p99: round(percentile(sorted, 99), 2),
  };
}

/**
 * The baseline: a minimal grammY webhook bot that answers every message with one send
 * (baseline-bot.ts). It runs in a process of its own, started as the service is, so that both
 * pay the same hops between processes; in the bench's own process it would share the load's
 * event loop, skipping those hops with one person and competing with the load with many.
 */
async function startBaseline(double: TelegramDouble): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const bot = runEntryAsService('test/bench/baseline-bot.ts', { PORT: String(port), BASELINE_TOKEN: double.token, BASELINE_API_ROOT: double.url, BASELINE_SECRET: SECRET, KEEP_ALIVE_MS: String(KEEP_ALIVE_MS) });
  const url = `http://127.0.0.1:${port}/`;
  await untilReady(bot, 'the baseline', () => fetch(url).then(() => true, () => false));
  return { url, close: stopper(bot, 'the baseline') };
}

async function startPonte(databaseUrl: string, env: Record<string, string>) {
  const port = await freePort();
  const service = runBuilt('src/main.ts', [], { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...env });
  const base = `http://127.0.0.1:${port}`;
  await untilReady(service, 'the service', () => fetch(`${base}/readyz`).then((r) => r.status === 200, () => false));
  return { base, pid: service.child.pid!, stop: stopper(service, 'the service') };
}

type Child = ReturnType<typeof runBuilt>;

/** Waits for `ready` to hold; a child that does not get there within a minute fails the bench, with its stderr. */
async function untilReady(child: Child, what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} did not become ready: ${(await Promise.race([child.done, Promise.resolve(undefined)]))?.stderr ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The processes the bench started and has not stopped: a run that fails stops them on its way out. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Stops `child` once the bench is done with it. A child that stops before that fails its
 * people's requests: its stderr says why.
 */
function stopper(child: Child, what: string): () => Promise<void> {
  children.add(child.child);
  let stopping = false;
  void child.done.then((end) => {
    if (!stopping) console.error(`${what} stopped during the run (${end.signal ?? end.code}):\n${end.stderr.slice(-4000)}`);
  });
  return async () => {
    stopping = true;
    child.child.kill('SIGTERM');
    await child.done;
    children.delete(child.child);
  };
}

interface Target {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * Every level's targets run side by side, each with its own simulated people. The people's first
 * messages (a new person: their registration, the first query plans) fall in the warm-up, which
 * is not counted; the flat-out rounds and the paced run then carry on with the same people.
 */
async function inbound(): Promise<InboundResult[]> {
  const results: InboundResult[] = [];
  const databases: [string, () => Promise<TestDatabase>][] = [['ponte/sqlite', async () => sqliteDatabase()]];
  if (postgresUrl) databases.push(['ponte/postgresql', () => postgresDatabase(postgresUrl)]);
  for (const people of levels) {
    // Connections idle while the other targets take their turns: none may close under a request
    // (the bare bot has no answer for a reply that fails, and stops).
    const double = await startTelegramDouble({ perChatPerSecond: 1_000_000, keepAliveMs: KEEP_ALIVE_MS });
    const baseline = await startBaseline(double);
    const targets: Target[] = [{ name: 'baseline/grammY', url: baseline.url, stop: baseline.close }];
    for (const [name, create] of databases) {
      const database = await create();
      const ponte = await startPonte(database.url, {
        PUBLIC_URL: 'https://bench.invalid',
        TELEGRAM_BOT_TOKEN: double.token,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: double.url,
        TELEGRAM_RATE_LIMIT: '0',
        TELEGRAM_CHAT_RATE_LIMIT: '0',
      });
      const stop = async () => {
        await ponte.stop();
        await database.drop();
      };
      targets.push({ name, url: `${ponte.base}/webhooks/telegram`, stop });
    }
    const crowds = new Map(targets.map((t) => [t, crowd(people)]));
    // At least one message from each person, however short the warm-up.
    for (const t of targets) await load(t.url, double, crowds.get(t)!, Math.max(warmupSeconds, 0.001));
    const flat = new Map(targets.map((t) => [t, [] as number[]]));
    for (let r = 0; r < rounds; r += 1) {
      for (const t of targets) flat.get(t)!.push(...(await load(t.url, double, crowds.get(t)!, secondsPerLevel / rounds)));
    }
    for (const t of targets) {
      results.push(summarise(t.name, people, undefined, flat.get(t)!, secondsPerLevel));
      if (pace > 0) results.push(summarise(t.name, people, pace, await load(t.url, double, crowds.get(t)!, secondsPerLevel, pace), secondsPerLevel));
    }
    for (const t of targets) await t.stop();
    await double.close();
  }
  return results;
}

/** Peak resident memory of a process, from /proc (Linux). */
function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return NaN;
  }
}

/** The Graph double in a process of its own (graph-double-process.ts). */
async function startGraphProcess(token: string, phoneNumberId: string, ratePerSecond: number) {
  const child = fork(join(root, 'test/bench/graph-double-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', GRAPH_TOKEN: token, GRAPH_PHONE_NUMBER_ID: phoneNumberId, GRAPH_RATE: String(ratePerSecond) },
  });
  children.add(child);
  const next = () =>
    new Promise<{ url?: string; stats?: GraphStats }>((resolve, reject) => {
      const stopped = (code: number | null) => reject(new Error(`the Graph double stopped (${code})`));
      child.once('exit', stopped);
      child.once('message', (m) => {
        child.off('exit', stopped);
        resolve(m as { url?: string; stats?: GraphStats });
      });
    });
  const { url } = await next();
  if (!url) throw new Error('the Graph double did not say where it listens');
  return {
    url,
    async stats(): Promise<GraphStats> {
      const answer = next();
      child.send('stats');
      return (await answer).stats!;
    },
    async close(): Promise<void> {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
      children.delete(child);
    },
  };
}

async function fanout() {
  const token = 'bench-token';
  const phoneNumberId = '100200300';
  const graph = await startGraphProcess(token, phoneNumberId, cap);
  const database = sqliteDatabase();
  await migrate(database.url);
  const db = await openDb(database.url);
  const now = Date.now();
  const started = performance.now();
  // The survey: one template message to each person, queued by the outbox's own function in
  // transactions of 5,000.
  const committer = createGroupCommitter(db.prisma);
  const survey: OutboundMessage = { kind: 'template', locale: 'pt', name: 'ponte_update', params: ['Como correu este mês?'], text: 'Como correu este mês?' };
  for (let from = 0; from < fanoutSize; from += 5000) {
    await committer.run(async (tx) => {
      for (let i = from; i < Math.min(from + 5000, fanoutSize); i += 1) {
        await enqueueMessages(tx, { channel: 'whatsapp', address: String(351_900_000_000 + i), personId: null }, [survey], now);
      }
    });
  }
  const enqueueSeconds = (performance.now() - started) / 1000;
  await db.close();
  const ponte = await startPonte(database.url, {
    WHATSAPP_ACCESS_TOKEN: token,
    WHATSAPP_PHONE_NUMBER_ID: phoneNumberId,
    WHATSAPP_APP_SECRET: 'bench-secret',
    WHATSAPP_API_URL: graph.url,
    WHATSAPP_RATE_LIMIT: String(cap),
  });
  const deadline = Date.now() + (fanoutSize / cap) * 3000 + 60_000;
  let stats = await graph.stats();
  while (stats.accepted < fanoutSize && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    stats = await graph.stats();
  }
  // The rate while sending: from the double's first accepted message to its last.
  const sendSeconds = Math.max(0.001, (stats.last - stats.first) / 1000);
  const peak = peakRssMb(ponte.pid);
  await ponte.stop();
  await graph.close();
  await database.drop();
  const rate = (stats.accepted - 1) / sendSeconds;
  return {
    people: fanoutSize,
    cap,
    enqueueSeconds: round(enqueueSeconds, 2),
    sent: stats.accepted,
    sendSeconds: round(sendSeconds, 1),
    perSecond: round(rate),
    ofCap: `${round((rate / cap) * 100)} %`,
    throttled130429: stats.throttled130429,
    busiestSecond: stats.busiestSecond,
    peakRssMb: peak,
  };
}

async function main() {
  // The service runs compiled, as `npm start` and the image run it.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  const inboundResults = await inbound();
  console.log('\nInbound: Telegram webhook → reply sent (each person waits for the reply; flat out, or paced)\n');
  console.table(inboundResults.map((r) => ({ target: r.target, people: r.people, pace: r.pace, 'msg/s': r.perSecond, 'p50 ms': r.p50, 'p95 ms': r.p95, 'p99 ms': r.p99 })));
  // Throughput is compared flat out: what each can take at most.
  const ratios = inboundResults
    .filter((r) => r.target.startsWith('ponte') && r.pace === 'flat out')
    .map((r) => {
      const base = inboundResults.find((b) => b.target.startsWith('baseline') && b.people === r.people && b.pace === 'flat out')!;
      return { target: r.target, people: r.people, 'ours/baseline': round(r.perSecond / base.perSecond, 2) };
    });
  console.table(ratios);
  const fan = fanoutSize > 0 ? await fanout() : undefined;
  if (fan) {
    console.log(`\nFan-out: a survey to ${fan.people} WhatsApp people, the double capped at ${fan.cap}/s\n`);
    console.table([fan]);
  }
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const file = join(root, 'bench-results', 'bench.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, inbound: inboundResults, ratios, fanout: fan }, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  // A target that stopped is what failed the run: let its report (stopper) come in first.
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.exit(1);
});
