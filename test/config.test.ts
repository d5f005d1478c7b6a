import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

function problem(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('starts with no variables at all, on the embedded SQLite default, with every platform off', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', databaseUrl: 'file:./data/ponte.db', defaultLocale: 'en', programmeTimezone: 'Europe/Lisbon' });
    expect(config.telegram).toBeUndefined();
    expect(config.whatsapp).toBeUndefined();
  });

  it('names the variable of a wrong value', () => {
    expect(problem({ PORT: 'eighty' }).variable).toBe('PORT');
    expect(problem({ DATABASE_URL: 'mysql://x' }).variable).toBe('DATABASE_URL');
    expect(problem({ PROGRAMME_TIMEZONE: 'Mars/Olympus' }).variable).toBe('PROGRAMME_TIMEZONE');
    expect(problem({ TELEGRAM_API_ROOT: 'https://api.telegram.org/' }).message).toMatch(/^TELEGRAM_API_ROOT: .*trailing/);
    expect(problem({ WHATSAPP_RATE_LIMIT: '-1' }).variable).toBe('WHATSAPP_RATE_LIMIT');
  });

  it('asks for the webhook secret when Telegram runs with webhooks', () => {
    expect(problem({ TELEGRAM_BOT_TOKEN: '1:abc', PUBLIC_URL: 'https://ponte.example' }).variable).toBe('TELEGRAM_WEBHOOK_SECRET');
    expect(problem({ TELEGRAM_BOT_TOKEN: '1:abc', PUBLIC_URL: 'https://ponte.example', TELEGRAM_WEBHOOK_SECRET: 'has spaces' }).variable).toBe(
      'TELEGRAM_WEBHOOK_SECRET',
    );
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:abc' }).telegram?.mode).toBe('polling');
  });

  it('names the missing one of the WhatsApp variables', () => {
    expect(problem({ WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_APP_SECRET: 's' }).variable).toBe('WHATSAPP_PHONE_NUMBER_ID');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PUBLIC_URL: '', TELEGRAM_BOT_TOKEN: ' ' }).telegram).toBeUndefined();
  });
});
