import type { Profile } from './session.js';
import type { Translator } from './i18n.js';

/** Named conditions a flow can put on a choice option. */
export const conditions = {
  consented: (p: Profile) => p.consent === 'granted',
  notConsented: (p: Profile) => p.consent !== 'granted',
} satisfies Record<string, (p: Profile) => boolean>;
export type ConditionName = keyof typeof conditions;

/** Named values a prompt can interpolate. */
export const vars = {
  languageName: (p: Profile, t: Translator) => t.t(p.locale, 'common:language.name'),
} satisfies Record<string, (p: Profile, t: Translator) => string>;
export type VarName = keyof typeof vars;

/** Named sources of choice options that depend on more than the flow. */
export const choiceSources = {
  /** Every language we speak, each by its own name in its own script. */
  languages: (_p: Profile, t: Translator) => t.locales.map((l) => ({ id: l, label: t.t(l, 'common:language.name') })),
} satisfies Record<string, (p: Profile, t: Translator) => { id: string; label: string }[]>;
export type ChoiceSourceName = keyof typeof choiceSources;
