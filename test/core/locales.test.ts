import { describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { localesDir } from '../../src/app.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLocale, loadTexts } from '../../src/cli/i18n-check.js';
import { inboxLocales, inboxLocalesDir } from '../../src/http/inbox/ui.js';
import { root } from '../helpers/spawn.js';
import { commandNames } from '../../src/core/commands.js';
import { createTranslator } from '../../src/core/i18n.js';

const t = createTranslator(localesDir, 'en');

/** Every i18n key a flow can show: prompts and option labels. */
function flowKeys(): string[] {
  return flows.flatMap((flow) =>
    Object.values(flow.steps).flatMap((step) => [
      ...(step.prompt ? [step.prompt] : []),
      ...(step.expect?.kind === 'choice' && 'options' in step.expect ? step.expect.options.map((o) => o.label) : []),
    ]),
  );
}

describe.each(t.locales)('the %s texts', (locale) => {
  it('pass npm run i18n:check (keys, placeholders, plurals, label lengths, nothing left in English)', () => {
    expect(checkLocale(locale)).toEqual([]);
  });

  it('hold every text the flows show', () => {
    expect(flowKeys().filter((key) => !t.has(locale, key))).toEqual([]);
  });

  it('have a word for every global command', () => {
    for (const name of commandNames) expect(t.t(locale, `common:commands.${name}`).trim().length, name).toBeGreaterThan(0);
  });
});

describe('the inbox’s texts', () => {
  const inbox = createTranslator(inboxLocalesDir, 'en');

  it('have the same keys in English and Portuguese, with their placeholders and plurals', () => {
    expect(checkLocale('pt', loadTexts('en', inboxLocalesDir), inboxLocalesDir)).toEqual([]);
  });

  it('name every flow, for the person page', () => {
    for (const locale of inboxLocales) expect(flows.filter((f) => !inbox.has(locale, `flow.${f.id}`)).map((f) => f.id), locale).toEqual([]);
  });

  it('hold every key the pages name', () => {
    const dir = join(root, 'src/http/inbox');
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\bt\('([a-z_]+:)?([a-z_]+(?:\.[a-z0-9_]+)+)'/g)].map((m) => `${m[1] ?? ''}${m[2]}`));
    expect(used.length).toBeGreaterThan(50);
    for (const locale of inboxLocales) {
      expect(used.filter((key) => !inbox.has(locale, key) && !inbox.has(locale, `${key}_other`)), locale).toEqual([]);
    }
  });
});

describe('the translator', () => {
  it('keeps each language’s own sentence for a key without values, and fills values in on every call', () => {
    expect(t.t('en', 'common:sorry')).toBe(t.t('en', 'common:sorry'));
    expect(t.t('pt', 'common:sorry')).not.toBe(t.t('en', 'common:sorry'));
    expect(t.t('en', 'common:sorry', {})).toBe(t.t('en', 'common:sorry'));
    // A tag no language folder has (a platform sends what the phone says) gets the default language.
    expect(t.t('xx-ZZ', 'common:sorry')).toBe(t.t('en', 'common:sorry'));
    expect(t.t('en', 'common:language.changed', { languageName: 'Deutsch' })).toContain('Deutsch');
    expect(t.t('en', 'common:language.changed', { languageName: 'Tigrinya' })).toContain('Tigrinya');
    expect(t.t('ar', 'common:language.changed', { languageName: 'Deutsch' })).toContain('\u2068Deutsch\u2069');
  });
});
