import pg, { type Pool, type PoolClient } from 'pg';
import type { Prisma as P } from './generated/sqlite/client.js';
import type { DirectTarget, DirectTransactions } from './statements.js';

const { types } = pg;

/**
 * Results as Prisma's raw queries give them, so that both paths read the same: BIGINT as a
 * bigint, and a timestamp without a zone (how Prisma stores DateTime) as UTC.
 */
const resultTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === types.builtins.INT8) return (text: string) => BigInt(text);
    if (oid === types.builtins.TIMESTAMP) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    return types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** A value as a statement parameter: a time in UTC (pg would write local time); bigint, numbers and text as they are. */
function pgValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** One connection of the pool, between BEGIN and COMMIT. */
class PgTransaction implements DirectTarget {
  constructor(private readonly client: PoolClient) {}

  async rows(statement: P.Sql): Promise<unknown[]> {
    return (await this.query(statement)).rows;
  }

  async execute(statement: P.Sql): Promise<number> {
    return (await this.query(statement)).rowCount ?? 0;
  }

  private query(statement: P.Sql) {
    return this.client.query({ text: statement.text, values: statement.values.map(pgValue), types: resultTypes });
  }
}

/**
 * Transactions of hand-written statements on a connection of Prisma's own pool, outside Prisma:
 * its interactive transaction and raw queries cost about a millisecond a statement here, several
 * times the database's own time (see statements.ts).
 */
export class PgTransactions implements DirectTransactions {
  constructor(private readonly pool: Pool) {}

  async transaction<T>(work: (target: DirectTarget) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await work(new PgTransaction(client));
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
      throw err;
    } finally {
      // A connection that could not even roll back is closed rather than given to the next one.
      client.release(broken);
    }
  }
}
