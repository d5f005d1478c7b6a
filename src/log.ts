import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line. Code logs ids, counts, kinds and timings only; this
 * list is the safety net for a mistake, not the plan.
 */
const redactPaths = [
  'text',
  '*.text',
  'body',
  '*.body',
  'payload',
  '*.payload',
  'address',
  '*.address',
  'phone',
  '*.phone',
  'token',
  '*.token',
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-hub-signature-256"]',
];

/** Creates the service's one pino logger; everything else logs through its children. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'ponte' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      err: pino.stdSerializers.err,
      // The query string can hold secrets (WhatsApp's hub.verify_token), and paths are enough.
      req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
