import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { Db } from './client.js';
import { PrismaClient } from './generated/sqlite/client.js';
import { runDirectly, SqliteConnection, transactDirectly } from './statements.js';

/**
 * Prisma's SQLite adapter factory, keeping hold of the connection it opens so that hot-path
 * statements can run on it directly (see statements.ts).
 */
class SqliteAdapterFactory extends PrismaBetterSQLite3 {
  connection: SqliteConnection | undefined;

  override async connect() {
    const adapter = await super.connect();
    this.connection = new SqliteConnection((adapter as unknown as { client: Database }).client, adapter);
    return adapter;
  }
}

/** Opens the SQLite file at `path` (see `openDb`). */
export async function openSqlite(path: string): Promise<Db> {
  const factory = new SqliteAdapterFactory({ url: `file:${path}` });
  const prisma = new PrismaClient({ adapter: factory });
  await prisma.$connect();
  const connection = factory.connection;
  if (!connection) throw new Error('the SQLite adapter opened no connection');
  connection.raw.pragma('journal_mode = WAL');
  connection.raw.pragma('synchronous = FULL');
  connection.raw.pragma('busy_timeout = 10000');
  connection.raw.pragma('foreign_keys = ON');
  runDirectly(prisma, connection);
  transactDirectly(prisma, connection);
  const close = async (): Promise<void> => {
    await prisma.$disconnect();
    connection.log.close();
  };
  return { prisma, dialect: 'sqlite', url: `file:${path}`, close };
}
