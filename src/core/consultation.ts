import { z } from 'zod';
import type { Translator } from './i18n.js';
import { ageRanges, contactTimes, needAreas, type Needs, type Registration } from './registration.js';

/** The two sides of a proposed pair. */
export const pairSides = ['mentee', 'mentor'] as const;
export type PairSide = (typeof pairSides)[number];

/**
 * Where one side of a consultation stands: asked (or not, because they were with a coordinator
 * or had asked the bot to stop), or their answer.
 */
export type ConsultAnswer = 'asked' | 'not_asked' | 'yes' | 'no' | 'question';

/**
 * What one side of a proposed match is told about the other: enough to decide, nothing to find
 * them by (no name, no contact details, no special-category data).
 */
export const MatchDescription = z.object({
  role: z.enum(pairSides),
  ageRange: z.enum(ageRanges),
  languages: z.array(z.string().max(16)).max(20),
  /** The town or neighbourhood as the person wrote it. */
  area: z.string().max(80),
  /** A mentee's needs areas, or a mentor's expertise. */
  areas: z.array(z.enum(needAreas)).max(needAreas.length),
  contactTimes: z.array(z.enum(contactTimes)).max(contactTimes.length),
});
export type MatchDescription = z.infer<typeof MatchDescription>;

/** The data of a `consult` system event: the pair, the side asked, and the other side described. */
export const ConsultRequest = z.object({
  pairId: z.string().min(1).max(64),
  side: z.enum(pairSides),
  other: MatchDescription,
});
export type ConsultRequest = z.infer<typeof ConsultRequest>;

/** The anonymised description of a registered person, for the other side of a proposed match. */
export function describeForMatch(registration: Registration, needs: Needs | null): MatchDescription {
  return {
    role: registration.role,
    ageRange: registration.ageRange,
    languages: registration.languages,
    area: registration.area,
    areas: registration.role === 'mentor' ? registration.expertise : (needs?.areas ?? []),
    contactTimes: registration.contactTimes,
  };
}

/** A language's name in another language (Intl's names), or the code when Intl has none. */
export function languageName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The other side of a proposed match in the reader's language: who they are (a mentor, a
 * mentee), then one line per fact. Empty when the session holds no consultation.
 */
export function matchText(request: unknown, locale: string, t: Translator): string {
  const parsed = ConsultRequest.safeParse(request);
  if (!parsed.success) return '';
  const other = parsed.data.other;
  const list = (items: readonly string[]) => items.join(', ');
  const line = (key: string, value: string) => `• ${t.t(locale, `consultation:about.${key}`, { value })}`;
  const lines = [
    t.t(locale, other.role === 'mentor' ? 'consultation:intro_mentor' : 'consultation:intro_mentee'),
    line('age', t.t(locale, `register:age_choices.${other.ageRange}`)),
    line('languages', list(other.languages.map((c) => (c === 'other' ? t.t(locale, 'register:other_language') : languageName(c, locale))))),
    line('area', other.area),
  ];
  if (other.areas.length > 0) {
    lines.push(line(other.role === 'mentor' ? 'expertise' : 'needs', list(other.areas.map((a) => t.t(locale, `needs:area_choices.${a}`)))));
  }
  lines.push(line('times', list(other.contactTimes.map((c) => t.t(locale, `register:time_choices.${c}`)))));
  return lines.join('\n');
}
