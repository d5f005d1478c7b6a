import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { localesDir } from '../../src/app.js';
import { commandNames } from '../../src/core/commands.js';
import { createTranslator } from '../../src/core/i18n.js';

const t = createTranslator(localesDir, 'en');
type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(`${prefix}${k}`, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

function load(locale: string): Map<string, string> {
  const all = new Map<string, string>();
  for (const file of readdirSync(join(localesDir, locale)).filter((f) => f.endsWith('.json'))) {
    for (const [k, v] of flatten(JSON.parse(readFileSync(join(localesDir, locale, file), 'utf8')))) all.set(`${file.slice(0, -5)}:${k}`, v);
  }
  return all;
}

const placeholders = (s: string) => [...s.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
const english = load('en');

/** Every i18n key a flow can show: prompts and option labels. */
function flowKeys(): { key: string; buttons: number }[] {
  const keys: { key: string; buttons: number }[] = [];
  for (const flow of flows) {
    for (const step of Object.values(flow.steps)) {
      if (step.prompt) keys.push({ key: step.prompt, buttons: 0 });
      if (step.expect?.kind === 'choice' && 'options' in step.expect) {
        for (const o of step.expect.options) keys.push({ key: o.label, buttons: step.expect.options.length });
      }
    }
  }
  return keys;
}

describe.each(t.locales.filter((l) => l !== 'en'))('the %s texts', (locale) => {
  const texts = load(locale);

  it('have exactly the English keys', () => {
    expect([...texts.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('keep every placeholder, adding none', () => {
    for (const [key, value] of english) expect(placeholders(texts.get(key) ?? ''), key).toEqual(placeholders(value));
  });

  it('are not left in English', () => {
    const same = [...english].filter(([key, value]) => !key.startsWith('common:commands.') && texts.get(key) === value && /[a-z]{4}/i.test(value));
    expect(same.map(([key]) => key)).toEqual([]);
  });
});

describe.each(t.locales)('the flows in %s', (locale) => {
  it('find every text they show', () => {
    const missing = flowKeys().filter(({ key }) => !t.has(locale, key));
    expect(missing.map((m) => m.key)).toEqual([]);
  });

  it('fit every option label on a WhatsApp button (20) or list row (24)', () => {
    const tooLong = flowKeys()
      .filter((k) => k.buttons > 0)
      .map(({ key, buttons }) => ({ key, label: t.t(locale, key), limit: buttons <= 3 ? 20 : 24 }))
      .filter(({ label, limit }) => [...label].length > limit);
    expect(tooLong).toEqual([]);
    expect([...t.t(locale, 'common:language.name')].length).toBeLessThanOrEqual(24);
  });

  it('have a word for every global command', () => {
    for (const name of commandNames) expect(t.t(locale, `common:commands.${name}`).trim().length, name).toBeGreaterThan(0);
  });
});
