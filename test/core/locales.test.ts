import { describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { localesDir } from '../../src/app.js';
import { checkLocale } from '../../src/cli/i18n-check.js';
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
