// Prisma CLI settings for SQLite: the JavaScript engine through the driver adapter, so no
// native engine has to be downloaded (see prisma/tool.ts, which calls the CLI with it).
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'generated/sqlite/schema.prisma',
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.PRISMA_CLI_URL ?? 'file::memory:' }),
});
