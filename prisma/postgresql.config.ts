// Prisma CLI settings for PostgreSQL: the JavaScript engine through the driver adapter, so no
// native engine has to be downloaded (see prisma/tool.ts, which calls the CLI with it).
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'generated/postgresql/schema.prisma',
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.PRISMA_CLI_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
      // The CLI only diffs datamodels here; an idle pool must not keep it alive afterwards.
      idleTimeoutMillis: 50,
    }),
});
