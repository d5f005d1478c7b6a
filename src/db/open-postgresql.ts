import { PrismaPg } from '@prisma/adapter-pg';
import type { Db, Prisma } from './client.js';
import { PrismaClient } from './generated/postgresql/client.js';

/** Opens a PostgreSQL database with a pool of `poolSize` connections (see `openDb`). */
export async function openPostgresql(url: string, poolSize: number): Promise<Db> {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize });
  // Both providers' clients have the same models and methods; Ponte names the SQLite one's type.
  const prisma = new PrismaClient({ adapter }) as unknown as Prisma;
  await prisma.$connect();
  return { prisma, dialect: 'postgresql', url, close: () => prisma.$disconnect() };
}
