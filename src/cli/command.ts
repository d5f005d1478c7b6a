import type { z } from 'zod';
import { ConfigError } from '../errors.js';

/** A wrong or missing argument: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/** An argument checked by its schema; the first problem becomes a UsageError naming `--name`. */
export function check<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--${name}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/**
 * Runs an operator command (`npm run org`, `npm run staff`): a bad argument is one line and the
 * usage, exit 2; a bad configuration or any other failure one line, exit 1.
 */
export function runCommand(name: string, usage: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`${name}: ${err.message}\n${usage}`);
      process.exit(2);
    }
    console.error(err instanceof ConfigError ? `${name}: configuration error: ${err.message}` : `${name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
