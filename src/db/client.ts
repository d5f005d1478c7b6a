import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { Database } from 'better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgresql/client.js';
import { runDirectly, SqliteConnection } from './statements.js';

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
 * Prisma's SQLite adapter factory, keeping hold of the connection it opens so that hot-path
 * statements can run on it directly (see statements.ts).
 */
class SqliteAdapterFactory extends PrismaBetterSQLite3 {
  connection: SqliteConnection | undefined;

  override async connect() {
    const adapter = await super.connect();
    this.connection = new SqliteConnection((adapter as unknown as { client: Database }).client);
    return adapter;
  }
}

/**
 * Opens the database through Prisma's JavaScript engine and a driver adapter (no native
 * engine). SQLite runs in WAL mode so readers never wait for the writer, with full fsync so
 * an acknowledged event survives even a power cut (the group committer relaxes it for the
 * commits that acknowledge nothing, see group-commit.ts).
 */
export async function openDb(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  const dialect = dialectOf(url);
  if (dialect === 'sqlite') {
    const path = sqlitePath(url);
    const factory = new SqliteAdapterFactory({ url: `file:${path}` });
    const prisma = new SqliteClient({ adapter: factory });
    await prisma.$connect();
    const connection = factory.connection;
    if (!connection) throw new Error('the SQLite adapter opened no connection');
    connection.raw.pragma('journal_mode = WAL');
    connection.raw.pragma('synchronous = FULL');
    connection.raw.pragma('busy_timeout = 10000');
    connection.raw.pragma('foreign_keys = ON');
    runDirectly(prisma, connection);
    return { prisma, dialect, url: `file:${path}`, close: () => prisma.$disconnect() };
  }
  const adapter = new PrismaPg({ connectionString: url, max: options.poolSize ?? 10 });
  const prisma = new PostgresClient({ adapter }) as unknown as Prisma;
  await prisma.$connect();
  return { prisma, dialect, url, close: () => prisma.$disconnect() };
}
