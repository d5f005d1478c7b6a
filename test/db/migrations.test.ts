import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { schemaSql } from '../../prisma/tool.js';
import { openDb, sqlitePath } from '../../src/db/client.js';
import { isMigrated, listMigrations, migrate } from '../../src/db/migrate.js';
import { databases, postgresUrl, type TestDatabase } from '../helpers/databases.js';

// The Prisma CLI's PostgreSQL adapter connects to a server even to compare datamodels.
if (postgresUrl) process.env.PRISMA_CLI_URL ??= postgresUrl;

/** The structure of a database (tables, columns, indexes, keys), in a comparable form. */
async function describeSchema(provider: 'sqlite' | 'postgresql', url: string): Promise<unknown> {
  if (provider === 'sqlite') {
    const db = new Database(sqlitePath(url), { readonly: true });
    try {
      const tables = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_ponte_migrations' ORDER BY name`)
        .all() as { name: string }[];
      return tables.map(({ name }) => ({
        name,
        // Column order is not structure: a later migration appends where the schema may not.
        columns: (db.pragma(`table_info("${name}")`) as { cid?: number; name: string }[])
          .map(({ cid: _cid, ...column }) => column)
          .sort((a, b) => a.name.localeCompare(b.name)),
        indexes: (db.pragma(`index_list("${name}")`) as { name: string; unique: number }[])
          .map((i) => ({ name: i.name, unique: i.unique, columns: db.pragma(`index_info("${i.name}")`) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        foreignKeys: db.pragma(`foreign_key_list("${name}")`),
      }));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_ponte_migrations' ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_ponte_migrations' ORDER BY indexname`);
    const constraints = await client.query(
      `SELECT conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND conname NOT LIKE '_ponte_migrations%' ORDER BY conname`,
    );
    return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
  } finally {
    await client.end();
  }
}

/** Applies the SQL Prisma generates for the whole schema to an empty database. */
async function applySchemaDirectly(provider: 'sqlite' | 'postgresql', url: string): Promise<void> {
  const sql = schemaSql(provider);
  if (provider === 'sqlite') {
    const db = new Database(sqlitePath(url));
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

describe.each(databases)('migrations on $name', ({ name, create, skip }) => {
  const created: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((d) => d.drop()));
  });
  const fresh = async () => {
    const d = await create();
    created.push(d);
    return d;
  };

  it.skipIf(skip)('build the same database as the Prisma schema (no drift)', async () => {
    const migrated = await fresh();
    const direct = await fresh();
    expect(await migrate(migrated.url)).toEqual(listMigrations(name).map((m) => m.name));
    await applySchemaDirectly(name, direct.url);
    const a = await describeSchema(name, migrated.url);
    const b = await describeSchema(name, direct.url);
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toContain('OutboxMessage');
  });

  it.skipIf(skip)('apply each migration once, even when two instances start together', async () => {
    const d = await fresh();
    const [first, second] = await Promise.all([migrate(d.url), migrate(d.url)]);
    expect([...first!, ...second!].sort()).toEqual(listMigrations(name).map((m) => m.name));
    expect(await migrate(d.url)).toEqual([]);
    const db = await openDb(d.url);
    expect(await isMigrated(db.prisma, db.dialect)).toBe(true);
    await db.close();
  });

  it.skipIf(skip)('report an unmigrated database as not ready', async () => {
    const d = await fresh();
    const db = await openDb(d.url);
    expect(await isMigrated(db.prisma, db.dialect)).toBe(false);
    await db.close();
  });
});
