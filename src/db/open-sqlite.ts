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
    const connection = new SqliteConnection((adapter as unknown as { client: Database }).client);
    takeTurns(adapter, connection);
    this.connection = connection;
    return adapter;
  }
}

/**
 * Prisma's transactions wait for the connection's lock, as the statements-only ones do, and
 * give it back when Prisma commits or rolls them back. (The adapter's own lock, which they still
 * take inside, then never waits.)
 */
function takeTurns(adapter: Awaited<ReturnType<PrismaBetterSQLite3['connect']>>, connection: SqliteConnection): void {
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await connection.lock();
    try {
      const tx = await start(isolationLevel);
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = () => commit().finally(release);
      tx.rollback = () => rollback().finally(release);
      return tx;
    } catch (err) {
      release();
      throw err;
    }
  };
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
