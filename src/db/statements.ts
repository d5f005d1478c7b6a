import type { Database, Statement } from 'better-sqlite3';
import { Prisma as P } from './generated/sqlite/client.js';
import type { Dialect, Prisma, Tx } from './client.js';
import { createWalSync, type WalSync } from './wal-sync.js';

/**
 * Hand-written statements, run the cheapest way the database allows.
 *
 * On SQLite, Prisma's client and its adapter cost about a third of a millisecond for every
 * statement, more than SQLite takes to run most of them. Prisma's SQLite adapter keeps a single
 * connection, and a Prisma transaction is that connection between BEGIN and COMMIT. So a
 * statement given a client or a transaction that was registered here runs straight on that
 * connection, prepared once. On PostgreSQL, Prisma's raw queries cost about a millisecond
 * each; the group committer's statements-only batches run on a connection of the same pool,
 * registered here for the batch (pg-direct.ts). Anything not registered (a Prisma transaction
 * on PostgreSQL) goes through Prisma's raw queries, with the same result.
 */
const connections = new WeakMap<object, DirectTarget>();

/** Where a registered client's statements run. */
export interface DirectTarget {
  rows(statement: P.Sql): unknown[] | Promise<unknown[]>;
  execute(statement: P.Sql): number | Promise<number>;
}

/** Runs `work` in a transaction of its own, outside Prisma, its statements on `target`. */
export interface DirectTransactions {
  transaction<T>(work: (target: DirectTarget) => Promise<T>): Promise<T>;
}

const transactionSources = new WeakMap<Prisma, DirectTransactions>();

/** Transactions of statements only, for `prisma`'s database, come from `source`. */
export function transactDirectly(prisma: Prisma, source: DirectTransactions): void {
  transactionSources.set(prisma, source);
}

/** Where transactions of statements only come from for `prisma`, if anywhere. */
export function directTransactions(prisma: Prisma): DirectTransactions | undefined {
  return transactionSources.get(prisma);
}

/** Prepared statements a connection keeps: the hot paths use a few dozen. */
const PREPARED_KEPT = 64;

/** A SQLite connection's statements, prepared once per SQL text. */
export class SqliteConnection implements DirectTarget, DirectTransactions {
  private readonly prepared = new Map<string, Statement>();
  /** Puts on disk what was committed with `synchronous = NORMAL` (see wal-sync.ts). */
  readonly log: WalSync;
  /** Resolves when the transaction holding the connection has ended. */
  private held: Promise<void> = Promise.resolve();

  constructor(readonly raw: Database) {
    this.log = createWalSync(raw.name);
  }

  /**
   * Waits until no transaction holds the connection, then holds it until the returned function
   * is called. Prisma's transactions take it too (open-sqlite.ts), so theirs and these take turns.
   */
  async lock(): Promise<() => void> {
    const before = this.held;
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    await before;
    return release;
  }

  /**
   * Runs `work` between BEGIN and COMMIT on this connection, for work made only of the
   * statements here: Prisma's own transaction costs more than such a batch (a client built for
   * each one, most of which lives long enough to burden the garbage collector).
   */
  async transaction<T>(work: (target: DirectTarget) => Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      this.statement('BEGIN').run();
      const value = await work(this);
      this.statement('COMMIT').run();
      return value;
    } catch (err) {
      if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
      throw err;
    } finally {
      release();
    }
  }

  rows(statement: P.Sql): unknown[] {
    const prepared = this.statement(statement.sql);
    const values = statement.values.map(sqliteValue);
    if (prepared.reader) return prepared.all(...values);
    prepared.run(...values);
    return [];
  }

  execute(statement: P.Sql): number {
    const prepared = this.statement(statement.sql);
    const values = statement.values.map(sqliteValue);
    if (prepared.reader) return prepared.all(...values).length;
    return prepared.run(...values).changes;
  }

  statement(sql: string): Statement {
    let statement = this.prepared.get(sql);
    if (statement) {
      // Most recently used last, so that the oldest is the one to let go.
      this.prepared.delete(sql);
    } else {
      // Lists joined into a statement make texts of every length, and each prepared statement
      // holds native memory (tens of kilobytes with a long list): keep the few that are used.
      if (this.prepared.size >= PREPARED_KEPT) this.prepared.delete(this.prepared.keys().next().value!);
      statement = this.raw.prepare(sql);
      if (statement.reader) statement.safeIntegers(false);
    }
    this.prepared.set(sql, statement);
    return statement;
  }
}

/** Statements given `client` (the root client, or one transaction of it) run on `target`. */
export function runDirectly(client: Prisma | Tx, target: DirectTarget): void {
  connections.set(client, target);
}

/** The SQLite connection statements of `client` run on directly, if it has one. */
export function directConnection(client: Prisma | Tx): SqliteConnection | undefined {
  const target = connections.get(client);
  return target instanceof SqliteConnection ? target : undefined;
}

/**
 * A value as SQLite gets it from Prisma, so both paths store the same: booleans as 0/1 and
 * times as ISO-8601 text.
 */
function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  return value;
}

/** A JSON value as a statement parameter: text for SQLite, JSONB for PostgreSQL. */
export function jsonValue(dialect: Dialect, value: unknown): P.Sql {
  const text = JSON.stringify(value);
  return dialect === 'postgresql' ? P.sql`CAST(${text} AS JSONB)` : P.sql`${text}`;
}

/** Runs a statement that returns rows. */
export async function rows<T>(client: Prisma | Tx, statement: P.Sql): Promise<T[]> {
  const target = connections.get(client);
  if (!target) return client.$queryRaw<T[]>(statement);
  return (await target.rows(statement)) as T[];
}

/** Runs a statement for its effect; returns how many rows it changed. */
export async function execute(client: Prisma | Tx, statement: P.Sql): Promise<number> {
  const target = connections.get(client);
  if (!target) return client.$executeRaw(statement);
  return target.execute(statement);
}

/** Runs `work` in a savepoint: if it throws, what it wrote is undone and the error passed on. */
export async function inSavepoint<T>(tx: Tx, name: string, work: () => Promise<T>): Promise<T> {
  await execute(tx, P.raw(`SAVEPOINT ${name}`));
  try {
    const value = await work();
    await execute(tx, P.raw(`RELEASE SAVEPOINT ${name}`));
    return value;
  } catch (err) {
    await execute(tx, P.raw(`ROLLBACK TO SAVEPOINT ${name}`));
    await execute(tx, P.raw(`RELEASE SAVEPOINT ${name}`));
    throw err;
  }
}
