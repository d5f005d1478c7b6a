import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectPath } from '../paths.js';
import { dialectOf, sqlitePath, type Dialect, type Prisma } from './client.js';

const migrationsRoot = projectPath('prisma', 'migrations');
const table = '_ponte_migrations';
/** Any fixed number: every instance takes the same advisory lock while it migrates. */
const advisoryLockKey = 7_403_121;

export interface Migration {
  name: string;
  sql: string;
}

/** The committed SQL migrations for one provider, oldest first. */
export function listMigrations(dialect: Dialect): Migration[] {
  const dir = join(migrationsRoot, dialect);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d{4}_/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name, 'migration.sql'), 'utf8') }));
}

/**
 * Applies the pending migrations, each in its own transaction and recorded in `_ponte_migrations`,
 * under a lock so that instances starting together apply each migration once. Uses the drivers
 * directly: migration files hold many statements, which Prisma's raw queries do not run.
 * Returns the names applied.
 */
export async function migrate(url: string): Promise<string[]> {
  const dialect = dialectOf(url);
  const migrations = listMigrations(dialect);
  return dialect === 'sqlite' ? migrateSqlite(sqlitePath(url), migrations) : migratePostgres(url, migrations);
}

function migrateSqlite(path: string, migrations: Migration[]): string[] {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec(`CREATE TABLE IF NOT EXISTS "${table}" ("name" TEXT PRIMARY KEY, "appliedAt" TEXT NOT NULL)`);
    const applied: string[] = [];
    for (const m of migrations) {
      // BEGIN IMMEDIATE takes SQLite's write lock: a second process waits here, then sees the row.
      db.exec('BEGIN IMMEDIATE');
      try {
        const done = db.prepare(`SELECT 1 FROM "${table}" WHERE "name" = ?`).get(m.name);
        if (!done) {
          db.exec(m.sql);
          db.prepare(`INSERT INTO "${table}" ("name", "appliedAt") VALUES (?, ?)`).run(m.name, new Date().toISOString());
          applied.push(m.name);
        }
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw new Error(`migration ${m.name} failed`, { cause: err });
      }
    }
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  // Loaded only for PostgreSQL, as in client.ts.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS "${table}" ("name" TEXT PRIMARY KEY, "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    await client.query('COMMIT');
    const applied: string[] = [];
    for (const m of migrations) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey]);
        const done = await client.query(`SELECT 1 FROM "${table}" WHERE "name" = $1`, [m.name]);
        if (done.rowCount === 0) {
          await client.query(m.sql);
          await client.query(`INSERT INTO "${table}" ("name") VALUES ($1)`, [m.name]);
          applied.push(m.name);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed`, { cause: err });
      }
    }
    return applied;
  } finally {
    await client.end();
  }
}

/** True when every committed migration is recorded as applied (what `/readyz` asks). */
export async function isMigrated(prisma: Prisma, dialect: Dialect): Promise<boolean> {
  const expected = listMigrations(dialect).map((m) => m.name);
  try {
    const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT "name" FROM "${table}"`);
    const applied = new Set(rows.map((r) => r.name));
    return expected.every((n) => applied.has(n));
  } catch {
    return false;
  }
}
