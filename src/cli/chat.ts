// `npm run chat`: talk to the bot in a terminal, through the same durable inbox, engine and
// outbox as the platforms (the local channel). Choices are numbered: answer with the number.
//
//   npm run chat                     as the identity "me" (the conversation is kept)
//   npm run chat -- --as amira       as another identity
//   npm run chat -- --fresh          as a brand-new identity
//   npm run chat -- --lang ar        with a language hint, as a phone would send one
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createPonte } from '../app.js';
import { createLocalSender } from '../channels/local/client.js';
import { LOCAL_CHANNEL, toInboundEvent } from '../channels/local/inbound.js';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';

const usage = 'usage: npm run chat -- [--as NAME | --fresh] [--lang TAG]';

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: { as: { type: 'string' }, fresh: { type: 'boolean' }, lang: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n${usage}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(usage);
    return;
  }
  if (args.as !== undefined && !/^[\w.-]{1,64}$/.test(args.as)) {
    console.error(`--as: 1–64 letters, digits, _ . - (got "${args.as}")\n${usage}`);
    process.exit(2);
  }
  if (args.lang !== undefined && !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(args.lang)) {
    console.error(`--lang: a language tag such as ar, pt or pt-BR (got "${args.lang}")\n${usage}`);
    process.exit(2);
  }
  const identity = args.fresh ? `guest-${randomUUID().slice(0, 8)}` : (args.as ?? 'me');
  const config = loadConfig();
  // The terminal is the conversation: only warnings and errors go to the log here.
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const interactive = process.stdin.isTTY === true;
  const say = (text: string) => process.stdout.write(`\nbot> ${text.replace(/\n/g, '\n     ')}\n${interactive ? 'you> ' : ''}`);
  const ponte = await createPonte({ config, log, senders: [createLocalSender((_address, text) => say(text))], pollMs: 200 });
  await ponte.start();

  // Known once anything of theirs is stored, even an event a crash left unhandled (now resumed).
  const known = await ponte.db.prisma.inboundEvent.findFirst({ where: { channel: LOCAL_CHANNEL, address: identity }, select: { id: true } });
  process.stdout.write(`Ponte chat as "${identity}". Type a number to choose, /menu, /language, /help, /stop; Ctrl-D to leave.\n`);
  // A new identity opens the conversation the way a platform's Start button does.
  if (!known) await ponte.ingest([toInboundEvent(identity, '/start', args.lang)]);
  else if (interactive) process.stdout.write('you> ');

  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    await ponte.ingest([toInboundEvent(identity, line, args.lang)]);
  }
  await ponte.processor.idle();
  await ponte.outbox.drained();
  await ponte.stop();
  process.stdout.write('\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `ponte: configuration error: ${err.message}` : err);
  process.exit(1);
});
