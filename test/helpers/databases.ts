import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

/** The PostgreSQL server for tests, from TEST_POSTGRES_URL; without it the PostgreSQL cases are skipped. */
export const postgresUrl = process.env.TEST_POSTGRES_URL;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty SQLite file in a temporary folder. */
export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-test-'));
  return { url: `file:${join(dir, 'ponte.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new, empty PostgreSQL database on the server (the test server by default), dropped afterwards. */
export async function postgresDatabase(server: string | undefined = postgresUrl): Promise<TestDatabase> {
  if (!server) throw new Error('TEST_POSTGRES_URL is not set');
  const name = `ponte_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Migrates and opens a test database; closing it also drops it. */
export async function openTestDb(database: TestDatabase): Promise<Db> {
  await migrate(database.url);
  const db = await openDb(database.url);
  return {
    ...db,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}

/**
 * The databases every storage test runs on: SQLite always, PostgreSQL when TEST_POSTGRES_URL is
 * set. Use with `describe.each(databases)`; a skipped PostgreSQL says so in the test output.
 */
export const databases: { name: 'sqlite' | 'postgresql'; create: () => Promise<TestDatabase>; skip: boolean }[] = [
  { name: 'sqlite', create: async () => sqliteDatabase(), skip: false },
  { name: 'postgresql', create: () => postgresDatabase(), skip: !postgresUrl },
];
