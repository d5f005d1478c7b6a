import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Db, Prisma } from './client.js';
import { PrismaClient } from './generated/postgresql/client.js';
import { PgTransactions } from './pg-direct.js';
import { transactDirectly } from './statements.js';

/** Opens a PostgreSQL database with a pool of `poolSize` connections (see `openDb`). */
export async function openPostgresql(url: string, poolSize: number): Promise<Db> {
  // One pool for Prisma and for the group committer's own transactions (pg-direct.ts).
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection the server closed (a restart, an administrator): the pool drops it and
  // opens another when one is needed. A query on a broken connection fails on its own.
  pool.on('error', () => undefined);
  const adapter = new PrismaPg(pool);
  // Both providers' clients have the same models and methods; Ponte names the SQLite one's type.
  const prisma = new PrismaClient({ adapter }) as unknown as Prisma;
  await prisma.$connect();
  transactDirectly(prisma, new PgTransactions(pool));
  async function close(): Promise<void> {
    await prisma.$disconnect();
    await pool.end();
  }
  return { prisma, dialect: 'postgresql', url, close };
}
