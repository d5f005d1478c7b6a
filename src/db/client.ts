import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgresql/client.js';

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
 * an acknowledged event survives even a power cut.
 */
export async function openDb(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  const dialect = dialectOf(url);
  if (dialect === 'sqlite') {
    const path = sqlitePath(url);
    const prisma = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: `file:${path}` }) });
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$queryRawUnsafe('PRAGMA synchronous = FULL');
    await prisma.$queryRawUnsafe('PRAGMA busy_timeout = 10000');
    await prisma.$queryRawUnsafe('PRAGMA foreign_keys = ON');
    return { prisma, dialect, url: `file:${path}`, close: () => prisma.$disconnect() };
  }
  const adapter = new PrismaPg({ connectionString: url, max: options.poolSize ?? 10 });
  const prisma = new PostgresClient({ adapter }) as unknown as Prisma;
  await prisma.$connect();
  return { prisma, dialect, url, close: () => prisma.$disconnect() };
}
