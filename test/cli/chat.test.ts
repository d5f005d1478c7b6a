import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localesDir } from '../../src/app.js';
import { createTranslator } from '../../src/core/i18n.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { runEntry } from '../helpers/spawn.js';

const t = createTranslator(localesDir, 'en');
const chat = (db: string, args: string[], lines: string[], env: Record<string, string> = {}) =>
  runEntry('src/cli/chat.ts', args, { DATABASE_URL: db, ...env }, lines.map((l) => `${l}\n`).join('')).done;

/** The first line of a prompt: enough to recognise it in the terminal output. */
const head = (lng: string, key: string, vars?: Record<string, string>) => t.t(lng, key, vars).split('\n')[0]!;

describe('npm run chat', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = sqliteDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it.each([
    ['en', []],
    ['pt', ['--lang', 'pt']],
    ['ar', ['--lang', 'ar']],
  ])('walks the first conversation in %s', async (lng, args) => {
    const run = await chat(database.url, ['--fresh', ...args], ['1', '1', '3']);
    expect(run.code).toBe(0);
    const shown = [
      head(lng, 'onboarding:welcome', { languageName: t.t(lng, 'common:language.name') }),
      head(lng, 'onboarding:privacy'),
      head(lng, 'onboarding:ask_role'),
      head(lng, 'menu:main'),
      t.t(lng, 'menu:choices.faq'),
    ];
    let from = 0;
    for (const text of shown) {
      const at = run.stdout.indexOf(text, from);
      expect(at, `"${text}" in order`).toBeGreaterThanOrEqual(0);
      from = at;
    }
    if (lng !== 'en') expect(run.stdout).not.toContain(head('en', 'onboarding:privacy'));
  });

  it('sends a committed reply after a kill -9 between its commit and its send, once', async () => {
    const crashed = await chat(database.url, ['--as', 'kim', '--lang', 'pt'], [], { PONTE_FAILPOINTS: 'before-send' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout).not.toContain(head('pt', 'onboarding:privacy'));
    const file = new Database(database.url.slice('file:'.length), { readonly: true });
    expect(file.prepare(`SELECT status FROM "InboundEvent"`).all()).toEqual([{ status: 'done' }]);
    expect(new Set(file.prepare(`SELECT status FROM "OutboxMessage"`).all().map((r) => (r as { status: string }).status))).toEqual(new Set(['sending']));
    file.close();

    const resumed = await chat(database.url, ['--as', 'kim', '--lang', 'pt'], []);
    expect(resumed.code).toBe(0);
    const welcome = head('pt', 'onboarding:welcome', { languageName: 'Português' });
    expect(resumed.stdout.split(welcome)).toHaveLength(2);
  });

  it('refuses a bad option with one line and the usage', async () => {
    const run = await chat(database.url, ['--lang', 'not a tag'], []);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--lang');
  });
});
