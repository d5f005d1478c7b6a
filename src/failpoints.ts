/**
 * Failpoints for crash tests: `PONTE_FAILPOINTS=before-send` makes the process kill itself
 * with SIGKILL the first time it reaches that point, exactly as `kill -9` would. Unset in
 * production; reading the variable once keeps the cost to a set lookup.
 */
const armed = new Set((process.env.PONTE_FAILPOINTS ?? '').split(',').filter(Boolean));

export type Failpoint = 'before-send';

export function hitFailpoint(name: Failpoint): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
