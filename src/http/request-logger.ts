import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

/** The levels above `info`: what a request may still log when `info` is off. */
const LOUD_LEVELS = ['warn', 'error', 'fatal'] as const;

/**
 * Each request's logger (the parent's, with the request's id), made when the request first logs
 * a line its level lets through. Fastify asks for one on every request, and making a pino child
 * serialises its bindings through the redaction paths: about 50 µs a webhook, spent for nothing
 * when the level is above `info` (fastify's own request lines are `info`) and the request logs
 * no warning. At `info` and below every request logs, so the child is made at once.
 */
export function lazyRequestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // The service's loggers are pino's (log.ts).
  if ((parent as unknown as Logger).isLevelEnabled('info') || Object.keys(options).length > 0) return parent.child(bindings, options);
  let child: FastifyBaseLogger | undefined;
  const made = () => (child ??= parent.child(bindings, options));
  // The quiet levels are the parent's no-ops; the loud ones write through the real child.
  const lazy = Object.create(parent) as FastifyBaseLogger;
  for (const level of LOUD_LEVELS) lazy[level] = (...args: Parameters<FastifyBaseLogger['warn']>) => made()[level](...args);
  lazy.child = (childBindings, childOptions) => made().child(childBindings, childOptions);
  return lazy;
}
