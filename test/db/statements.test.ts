import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConnection } from '../../src/db/statements.js';

describe('the prepared statements of a SQLite connection', () => {
  let connection: SqliteConnection;

  beforeEach(() => {
    connection = new SqliteConnection(new Database(':memory:'));
    connection.raw.exec('CREATE TABLE item (id INTEGER PRIMARY KEY)');
  });
  afterEach(() => connection.raw.close());

  /** A statement with a list of `n` ids, as the outbox joins them: a new text for every length. */
  const listOf = (n: number) => `SELECT id FROM item WHERE id IN (${Array.from({ length: n }, () => '?').join(', ')})`;

  it('keeps a statement in use while lists of every length come and go', () => {
    const hot = connection.statement('SELECT id FROM item WHERE id = ?');
    for (let n = 1; n <= 600; n += 1) {
      connection.statement(listOf(n));
      expect(connection.statement('SELECT id FROM item WHERE id = ?')).toBe(hot);
    }
  });

  it('lets go of the statements used least recently, so that the texts kept stay few', () => {
    const first = connection.statement(listOf(1));
    expect(connection.statement(listOf(1))).toBe(first);
    for (let n = 2; n <= 200; n += 1) connection.statement(listOf(n));
    // Prepared again: the first list was let go long ago.
    expect(connection.statement(listOf(1))).not.toBe(first);
    // The most recent ones are still kept.
    const recent = connection.statement(listOf(200));
    expect(connection.statement(listOf(200))).toBe(recent);
  });
});
