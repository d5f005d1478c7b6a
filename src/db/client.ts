import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PrismaClient as SqliteClient } from './generated/sqlite/client.js';

/**
 * The Prisma client type used across Ponte. Both providers' clients have the same models and
 * methods; the SQLite one names the type.
 */
export type Prisma = SqliteClient;
/** A Prisma client bound to one interactive transaction. */
export type Tx = Omit<Prisma, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export type Dialect = 'sqlite' | 'postgresql';

export interface Db {
  prisma: Prisma;
  dialect: Dialect;
  /** The database URL with any file path made absolute. */
  url: string;
  close(): Promise<void>;
}

export function dialectOf(url: string): Dialect {
  return url.startsWith('file:') ? 'sqlite' : 'postgresql';
}

/** `file:./data/ponte.db` → the absolute file path; the folder is created if missing. */
export function sqlitePath(url: string): string {
  const path = resolve(url.slice('file:'.length).split('?')[0]!);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/**
 * Opens the database through Prisma's JavaScript engine and a driver adapter (no native
 * engine). SQLite runs in WAL mode so readers never wait for the writer, with full fsync so
 * an acknowledged event survives even a power cut (the group committer relaxes it for the
 * commits that acknowledge nothing, see group-commit.ts).
 */
export async function openDb(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  // Each dialect's client, adapter and driver are loaded only when used: together they take
  // about 20 MB that a SQLite installation would carry for nothing.
  if (dialectOf(url) === 'sqlite') return (await import('./open-sqlite.js')).openSqlite(sqlitePath(url));
  return (await import('./open-postgresql.js')).openPostgresql(url, options.poolSize ?? 10);
}
