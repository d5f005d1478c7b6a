import { z } from 'zod';
import type { QuietHours } from './core/time.js';
import { ConfigError } from './errors.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const url = (what: string) =>
  z.string().refine((v) => /^https?:\/\/[^\s/]+/.test(v) && !v.endsWith('/'), `must be an http(s) URL without a trailing /, ${what}`);

const rate = z.coerce.number().int('must be a whole number').min(0, 'must be 0 (off) or more');

/** An IANA time zone that this Node.js knows. */
export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Lisbon');

/** The environment variables of docs/interface.md, with their defaults. */
const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .default('file:./data/ponte.db')
      .refine((v) => v.startsWith('file:') || /^postgres(ql)?:\/\//.test(v), 'must be file:… (SQLite) or postgresql://…'),
    PUBLIC_URL: optional.pipe(z.string().url('must be the public https base URL').optional()),
    DEFAULT_LOCALE: z.string().default('en'),
    PROGRAMME_TIMEZONE: TimeZone.default('Europe/Lisbon'),
    TELEGRAM_BOT_TOKEN: optional,
    TELEGRAM_WEBHOOK_SECRET: optional.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1–256 chars of A-Z a-z 0-9 _ -')
        .optional(),
    ),
    TELEGRAM_API_ROOT: url('e.g. https://api.telegram.org').default('https://api.telegram.org'),
    TELEGRAM_MODE: optional.pipe(z.enum(['webhook', 'polling']).optional()),
    WHATSAPP_ACCESS_TOKEN: optional,
    WHATSAPP_PHONE_NUMBER_ID: optional,
    WHATSAPP_APP_SECRET: optional,
    WHATSAPP_VERIFY_TOKEN: optional,
    WHATSAPP_API_URL: url('e.g. https://graph.facebook.com').default('https://graph.facebook.com'),
    WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v23.0').default('v23.0'),
    TELEGRAM_RATE_LIMIT: rate.default(30),
    TELEGRAM_CHAT_RATE_LIMIT: rate.default(1),
    WHATSAPP_RATE_LIMIT: rate.default(80),
    MicrosoftAppId: optional,
    MicrosoftAppPassword: optional,
    MicrosoftAppType: optional.pipe(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional()),
    MicrosoftAppTenantId: optional,
    INBOX_ADMIN_EMAIL: optional.pipe(z.string().email('must be an e-mail address').optional()),
    INBOX_ADMIN_PASSWORD: optional.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    SESSION_SECRET: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    QUIET_HOURS: z
      .string()
      .regex(/^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/, 'must be FROM-UNTIL in whole hours, e.g. 21-08')
      .default('21-08'),
    CADENCE_FIRST_MONTH_DAYS: z.coerce.number().int().min(1).max(60).default(7),
    CADENCE_DAYS: z.coerce.number().int().min(1).max(90).default(14),
    INBOX_IDLE_MINUTES: z.coerce.number().int('must be a whole number').min(1).max(24 * 60).default(30),
    CASE_LIMIT_URGENT_HOURS: z.coerce.number().positive('must be more than 0').default(1),
    CASE_LIMIT_HIGH_HOURS: z.coerce.number().positive('must be more than 0').default(24),
    CASE_LIMIT_NORMAL_HOURS: z.coerce.number().positive('must be more than 0').default(72),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_BOT_TOKEN && (c.TELEGRAM_MODE ?? (c.PUBLIC_URL ? 'webhook' : 'polling')) === 'webhook' && !c.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'is required when Telegram runs with webhooks' });
    }
    if (c.TELEGRAM_MODE === 'webhook' && !c.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required with TELEGRAM_MODE=webhook' });
    }
    const whatsapp = ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET'] as const;
    const given = whatsapp.filter((k) => c[k]);
    if (given.length > 0 && given.length < whatsapp.length) {
      const missing = whatsapp.find((k) => !c[k])!;
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${given.join(', ')}` });
    }
    if (Boolean(c.INBOX_ADMIN_EMAIL) !== Boolean(c.INBOX_ADMIN_PASSWORD)) {
      const missing = c.INBOX_ADMIN_EMAIL ? 'INBOX_ADMIN_PASSWORD' : 'INBOX_ADMIN_EMAIL';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with the other INBOX_ADMIN_ variable' });
    }
  });

type Env = z.infer<typeof schema>;

/** The service's validated configuration. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  publicUrl: string | undefined;
  defaultLocale: string;
  programmeTimezone: string;
  logLevel: Env['LOG_LEVEL'];
  telegram:
    | { token: string; webhookSecret: string | undefined; apiRoot: string; mode: 'webhook' | 'polling'; rate: number; chatRate: number }
    | undefined;
  whatsapp:
    | { accessToken: string; phoneNumberId: string; appSecret: string; verifyToken: string | undefined; apiUrl: string; apiVersion: string; rate: number }
    | undefined;
  botframework: { appId: string | undefined; appPassword: string | undefined; appType: string | undefined; tenantId: string | undefined };
  inboxAdmin: { email: string; password: string } | undefined;
  sessionSecret: string | undefined;
  /** Local hours in which no reminder or survey is sent (from 21:00 until 08:00 by default). */
  quietHours: QuietHours;
  /** Days without a session before a pair is nudged: in its first month, and after. */
  cadence: { firstMonthDays: number; days: number };
  /** A signed-in inbox session ends after this long without a request. */
  inboxIdleMinutes: number;
  /** Hours to acknowledge a case, per severity (the misconduct protocol's time limits). */
  caseLimitHours: { urgent: number; high: number; normal: number };
}

/**
 * Reads the environment once. A bad value throws a ConfigError naming the first wrong variable;
 * `src/main.ts` prints it as one line and stops.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    publicUrl: e.PUBLIC_URL,
    defaultLocale: e.DEFAULT_LOCALE,
    programmeTimezone: e.PROGRAMME_TIMEZONE,
    logLevel: e.LOG_LEVEL,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          apiRoot: e.TELEGRAM_API_ROOT,
          mode: e.TELEGRAM_MODE ?? (e.PUBLIC_URL ? 'webhook' : 'polling'),
          rate: e.TELEGRAM_RATE_LIMIT,
          chatRate: e.TELEGRAM_CHAT_RATE_LIMIT,
        }
      : undefined,
    whatsapp:
      e.WHATSAPP_ACCESS_TOKEN && e.WHATSAPP_PHONE_NUMBER_ID && e.WHATSAPP_APP_SECRET
        ? {
            accessToken: e.WHATSAPP_ACCESS_TOKEN,
            phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
            appSecret: e.WHATSAPP_APP_SECRET,
            verifyToken: e.WHATSAPP_VERIFY_TOKEN,
            apiUrl: e.WHATSAPP_API_URL,
            apiVersion: e.WHATSAPP_API_VERSION,
            rate: e.WHATSAPP_RATE_LIMIT,
          }
        : undefined,
    botframework: { appId: e.MicrosoftAppId, appPassword: e.MicrosoftAppPassword, appType: e.MicrosoftAppType, tenantId: e.MicrosoftAppTenantId },
    inboxAdmin: e.INBOX_ADMIN_EMAIL && e.INBOX_ADMIN_PASSWORD ? { email: e.INBOX_ADMIN_EMAIL, password: e.INBOX_ADMIN_PASSWORD } : undefined,
    sessionSecret: e.SESSION_SECRET,
    quietHours: { from: Number(e.QUIET_HOURS.split('-')[0]), until: Number(e.QUIET_HOURS.split('-')[1]) },
    cadence: { firstMonthDays: e.CADENCE_FIRST_MONTH_DAYS, days: e.CADENCE_DAYS },
    inboxIdleMinutes: e.INBOX_IDLE_MINUTES,
    caseLimitHours: { urgent: e.CASE_LIMIT_URGENT_HOURS, high: e.CASE_LIMIT_HIGH_HOURS, normal: e.CASE_LIMIT_NORMAL_HOURS },
  };
}
