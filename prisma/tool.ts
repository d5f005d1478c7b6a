// Schema and migration tooling around the Prisma CLI.
//
//   tsx prisma/tool.ts generate          per-provider schemas + a generated client for each
//   tsx prisma/tool.ts migration NAME    a new SQL migration per provider from the schema change
//   tsx prisma/tool.ts pending PROVIDER  prints what the schema has and the migrations lack
//
// The CLI runs with the JavaScript engine through a driver adapter (prisma/<provider>.config.ts);
// the engine variables point at an existing file so it never tries to download a native engine.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const providers = ['sqlite', 'postgresql'] as const;
export type Provider = (typeof providers)[number];

const prismaDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(prismaDir, '..');

/** The folder holding one provider's SQL migrations, one sub-folder per migration. */
export function migrationsDir(provider: Provider): string {
  return join(prismaDir, 'migrations', provider);
}

function schemaPath(provider: Provider): string {
  return join(prismaDir, 'generated', provider, 'schema.prisma');
}

/** Writes the schema copy for each provider: only the provider and the client output differ. */
export function writeProviderSchemas(): void {
  const source = readFileSync(join(prismaDir, 'schema.prisma'), 'utf8');
  for (const provider of providers) {
    const text = source
      .replace('output              = "../src/db/generated/sqlite"', `output              = "../../../src/db/generated/${provider}"`)
      .replace('provider = "sqlite"', `provider = "${provider}"`);
    const content = `// Generated from prisma/schema.prisma by prisma/tool.ts; do not edit.\n${text}`;
    mkdirSync(dirname(schemaPath(provider)), { recursive: true });
    // Rewriting an unchanged file could race with a CLI reading it in another process.
    if (!existsSync(schemaPath(provider)) || readFileSync(schemaPath(provider), 'utf8') !== content) writeFileSync(schemaPath(provider), content);
  }
}

function prisma(provider: Provider, args: string[]): string {
  const placeholder = join(root, 'package.json');
  // The SQLite adapter gets a scratch file of its own: nothing is written to it, but an
  // in-memory URL proved unreliable when several CLIs run at once.
  const scratch = provider === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ponte-prisma-')) : undefined;
  try {
    return run(provider, args, placeholder, scratch);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function run(provider: Provider, args: string[], placeholder: string, scratch: string | undefined): string {
  return execFileSync(join(root, 'node_modules', '.bin', 'prisma'), [...args, '--config', join(prismaDir, `${provider}.config.ts`)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
      PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
      DATABASE_URL: provider === 'sqlite' ? 'file:./unused.db' : 'postgresql://unused',
      ...(scratch ? { PRISMA_CLI_URL: `file:${join(scratch, 'cli.db')}` } : {}),
    },
  });
}

function migrationNames(provider: Provider): string[] {
  const dir = migrationsDir(provider);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort() : [];
}

/**
 * The SQL script from `from` to the current schema: from the schema snapshot kept beside the
 * newest migration, or from an empty database. Comparing two datamodels needs no database;
 * Prisma's `--from-migrations` would need a shadow database its JavaScript engine cannot use.
 */
function diffScript(provider: Provider, from: 'last-migration' | 'empty'): string {
  writeProviderSchemas();
  const last = migrationNames(provider).at(-1);
  const fromArgs =
    from === 'last-migration' && last
      ? ['--from-schema-datamodel', join(migrationsDir(provider), last, 'schema.prisma')]
      : ['--from-empty'];
  const out = prisma(provider, ['migrate', 'diff', ...fromArgs, '--to-schema-datamodel', schemaPath(provider), '--script']);
  return out.replace(/^Loaded Prisma config.*\n/m, '').trim();
}

/** The SQL that creates the whole current schema on an empty database. */
export function schemaSql(provider: Provider): string {
  return diffScript(provider, 'empty');
}

/** The statements the schema has and the newest migration lacks; empty when a new migration is not needed. */
export function pendingChange(provider: Provider): string {
  return diffScript(provider, 'last-migration')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('--'))
    .join('\n');
}

function generate(): void {
  writeProviderSchemas();
  for (const provider of providers) prisma(provider, ['generate']);
}

function newMigration(name: string): void {
  if (!/^[a-z0-9_]{1,60}$/.test(name)) throw new Error('migration name: 1–60 of a-z 0-9 _');
  for (const provider of providers) {
    if (pendingChange(provider) === '') {
      console.log(`${provider}: no change`);
      continue;
    }
    const script = diffScript(provider, 'last-migration');
    const dir = migrationsDir(provider);
    mkdirSync(dir, { recursive: true });
    // Prisma reads the provider of a migrations folder from this file.
    writeFileSync(join(dir, 'migration_lock.toml'), `provider = "${provider}"\n`);
    const next = String(migrationNames(provider).length + 1).padStart(4, '0');
    const target = join(dir, `${next}_${name}`);
    mkdirSync(target);
    writeFileSync(join(target, 'migration.sql'), `${script}\n`);
    // The schema as of this migration: the next migration is the difference from it.
    writeFileSync(join(target, 'schema.prisma'), readFileSync(schemaPath(provider)));
    console.log(`${provider}: wrote ${target}`);
  }
}

const [command, arg] = process.argv.slice(2);
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (command === 'generate') generate();
  else if (command === 'migration' && arg) newMigration(arg);
  else if (command === 'pending' && (arg === 'sqlite' || arg === 'postgresql')) process.stdout.write(pendingChange(arg));
  else {
    console.error('usage: tsx prisma/tool.ts generate | migration NAME | pending sqlite|postgresql');
    process.exit(2);
  }
}
