import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** The project's folder (as the service finds it). */
export const root = projectRoot;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point of the project in a child process, as `npm run chat` does. */
export function runEntry(entry: string, args: string[], env: Record<string, string>, stdin?: string): { child: ChildProcess; done: Promise<Finished> } {
  return runNode(['--import', 'tsx', entry, ...args], env, stdin);
}

/** The words of `npm start` (package.json): how the service runs. */
export const startCommand = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);

/** The flags `npm start` gives Node, so that tests and the bench run the service as it runs. */
const startFlags = startCommand.filter((word) => word.startsWith('--'));

/** Runs a TypeScript entry point with the flags `npm start` gives the service: the bench's baseline runs as the service does. */
export function runEntryAsService(entry: string, env: Record<string, string>): { child: ChildProcess; done: Promise<Finished> } {
  return runNode([...startFlags, '--import', 'tsx', entry], env);
}

/** Runs an entry point compiled by `npm run build` (`src/main.ts` → `dist/src/main.js`), as `npm start` and the image do. */
export function runBuilt(entry: string, args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Finished> } {
  return runNode([...startFlags, join('dist', entry.replace(/\.ts$/, '.js')), ...args], env);
}

function runNode(nodeArgs: string[], env: Record<string, string>, stdin?: string): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const done = new Promise<Finished>((resolveDone) => child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr })));
  return { child, done };
}

/** A TCP port free on this machine right now, for a service under test. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
