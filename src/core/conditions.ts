import { formatWhen, type TurnContext } from './context.js';
import type { Profile, SessionState } from './session.js';
import type { Translator } from './i18n.js';
import { normalise } from './commands.js';
import { spokenLanguages } from './registration.js';
import { matchText } from './consultation.js';
import { DateTime } from 'luxon';
import { ClosureRequest, FeedbackRequest, MeetingFollowUp, normaliseTime, SessionOffer, sessionDays, sessionSummary } from './lifecycle.js';

/** The languages most newcomers speak, for the picker's first page. */
const commonLanguages = ['en', 'ar', 'uk', 'fa', 'pt', 'fr', 'es', 'ru', 'ti', 'so', 'ur', 'bn'];

function languageName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Lines of "label: value" for the registration and needs, for "My data". */
function summarise(p: Profile, t: Translator): string {
  const l = p.locale;
  const label = (key: string) => t.t(l, `privacy:fields.${key}`);
  const lines = [`${label('language')}: ${t.t(l, 'common:language.name')}`];
  const r = p.registration;
  if (r) {
    lines.push(`${label('role')}: ${t.t(l, `onboarding:role_choices.${r.role}`)}`);
    lines.push(`${label('name')}: ${r.name}`);
    lines.push(`${label('age')}: ${t.t(l, `register:age_choices.${r.ageRange}`)}`);
    lines.push(`${label('languages')}: ${r.languages.map((c) => (c === 'other' ? t.t(l, 'register:other_language') : languageName(c, l))).join(', ')}`);
    lines.push(`${label('area')}: ${r.area}`);
    lines.push(`${label('gender')}: ${t.t(l, `register:gender_choices.${r.gender}`)}`);
    lines.push(`${label('times')}: ${r.contactTimes.map((c) => t.t(l, `register:time_choices.${c}`)).join(', ')}`);
    if (r.role === 'mentor') lines.push(`${label('expertise')}: ${r.expertise.map((a) => t.t(l, `needs:area_choices.${a}`)).join(', ')}`);
  }
  if (p.needs) lines.push(`${label('needs')}: ${p.needs.areas.map((a) => t.t(l, `needs:area_choices.${a}`)).join(', ')}`);
  return lines.join('\n');
}

/** Named conditions a flow can put on a choice option. */
export const conditions = {
  consented: (p: Profile) => p.consent === 'granted',
  notConsented: (p: Profile) => p.consent !== 'granted',
  canRegister: (p: Profile) => p.consent === 'granted' && !p.registration,
  registered: (p: Profile) => p.registration !== null,
  registeredMentee: (p: Profile) => p.registration?.role === 'mentee',
  surveysOn: (p: Profile) => p.consent === 'granted' && !p.surveysOff,
  /** The chosen info day has room, the person is not signed up yet, and they agreed to the notice. */
  infoDayOpen: (p: Profile, s: SessionState, c: TurnContext) => {
    const day = c.infoDays.find((d) => d.id === s.data.infoDay);
    return p.consent === 'granted' && !!day && !day.signedUp && !day.full;
  },
  infoDaySignedUp: (_p: Profile, s: SessionState, c: TurnContext) => !!c.infoDays.find((d) => d.id === s.data.infoDay)?.signedUp,
  isMentee: (p: Profile) => p.role === 'mentee',
  /** The session was rated 1 or 2 out of 4 (the feedback flow then asks whether anything is wrong). */
  lowRating: (_p: Profile, s: SessionState) => Number(s.data.rating) <= 2,
  isMentor: (p: Profile) => p.role === 'mentor',
  /** In an active mentoring pair: sessions can be planned. */
  inPair: (_p: Profile, _s: SessionState, c: TurnContext) => c.inPair === true,
  hasUpcomingSessions: (_p: Profile, _s: SessionState, c: TurnContext) => (c.pair?.sessions.length ?? 0) > 0,
} satisfies Record<string, (p: Profile, s: SessionState, c: TurnContext) => boolean>;
export type ConditionName = keyof typeof conditions;

/** Named values a prompt can interpolate. */
export const vars = {
  languageName: (p: Profile, t: Translator) => t.t(p.locale, 'common:language.name'),
  caseReference: (_p: Profile, _t: Translator, s: SessionState) => String(s.data.caseReference ?? ''),
  /** What is stored about the person, readable: the answers with their labels in the person's language. */
  summary: (p: Profile, t: Translator) => summarise(p, t),
  /** The time now where the person is supposed to be, to check their clock against. */
  localTime: (p: Profile, _t: Translator, _s: SessionState, c: TurnContext) =>
    new Intl.DateTimeFormat(p.locale, { hour: '2-digit', minute: '2-digit', timeZone: c.timeZone }).format(new Date()),
  /** The upcoming info days, one a line, or a word saying there are none. */
  infoDayList: (p: Profile, t: Translator, _s: SessionState, c: TurnContext) =>
    c.infoDays.length === 0
      ? t.t(p.locale, 'infodays:none')
      : c.infoDays.map((d, i) => `${i + 1}. ${formatWhen(d.startsAt, p.locale, c.timeZone)} · ${d.title} · ${d.place}`).join('\n'),
  /** The chosen info day, in full. */
  infoDayDetail: (p: Profile, t: Translator, s: SessionState, c: TurnContext) => {
    const d = c.infoDays.find((day) => day.id === s.data.infoDay);
    if (!d) return '';
    const state = d.signedUp ? t.t(p.locale, 'infodays:you_are_signed_up') : d.full ? t.t(p.locale, 'infodays:full') : '';
    return [d.title, `${formatWhen(d.startsAt, p.locale, c.timeZone)}`, d.place, state].filter(Boolean).join('\n');
  },
  /** The pair's next sessions, one a line, or that none is planned. */
  upcomingSessions: (p: Profile, t: Translator, _s: SessionState, c: TurnContext) => {
    const sessions = c.pair?.sessions ?? [];
    if (sessions.length === 0) return t.t(p.locale, 'sessions:none_planned');
    return t.t(p.locale, 'sessions:planned', { sessions: sessions.map((x) => sessionSummary(x, p.locale, c.timeZone, t)).join('\n') });
  },
  /** The session being proposed, from the answers so far. */
  draftSession: (p: Profile, t: Translator, s: SessionState, c: TurnContext) => {
    const d = s.data;
    const startsAt = DateTime.fromISO(`${String(d.sessionDay)}T${normaliseTime(String(d.sessionTime ?? '0'))}`, { zone: c.timeZone });
    const mode = d.sessionMode === 'online' ? 'online' : 'in_person';
    return sessionSummary({ startsAt: startsAt.toISO() ?? '', minutes: Number(d.sessionMinutes), mode, place: typeof d.sessionPlace === 'string' ? d.sessionPlace : null }, p.locale, c.timeZone, t);
  },
  /** The session chosen from the list. */
  chosenSession: (p: Profile, t: Translator, s: SessionState, c: TurnContext) => {
    const chosen = c.pair?.sessions.find((x) => x.id === s.data.sessionId);
    return chosen ? sessionSummary(chosen, p.locale, c.timeZone, t) : '';
  },
  /** The session the other side proposed (a `session_offer`). */
  offeredSession: (p: Profile, t: Translator, s: SessionState, c: TurnContext) => {
    const offer = SessionOffer.safeParse(s.data.push);
    return offer.success ? sessionSummary(offer.data, p.locale, c.timeZone, t) : '';
  },
  /** Who proposed the offered session: "mentor" or "mentee", in the person's language. */
  offerFrom: (p: Profile, t: Translator, s: SessionState) => {
    const offer = SessionOffer.safeParse(s.data.push);
    return t.t(p.locale, `sessions:other_${offer.success ? offer.data.from : 'mentor'}`);
  },
  /** The other side of the person's pair: "mentor" or "mentee", in their language. */
  pairOther: (p: Profile, t: Translator, _s: SessionState, c: TurnContext) => t.t(p.locale, `sessions:other_${c.pair?.side === 'mentor' ? 'mentee' : 'mentor'}`),
  /** The other side of a pair the person is asked about (after the informal meeting). */
  pushOther: (p: Profile, t: Translator, s: SessionState) => {
    const request = MeetingFollowUp.safeParse(s.data.push);
    return t.t(p.locale, `sessions:other_${request.success && request.data.side === 'mentor' ? 'mentee' : 'mentor'}`);
  },
  /** The session the feedback is about, by its date and time. */
  feedbackSession: (p: Profile, _t: Translator, s: SessionState, c: TurnContext) => {
    const request = FeedbackRequest.safeParse(s.data.push);
    return request.success ? formatWhen(request.data.startsAt, p.locale, c.timeZone) : '';
  },
  /** How long the pair has been together, for the closure. */
  closurePair: (p: Profile, t: Translator, s: SessionState) => {
    const request = ClosureRequest.safeParse(s.data.push);
    return request.success ? t.t(p.locale, 'closure:months', { count: request.data.months }) : '';
  },
  /** The other side of a proposed match, anonymised, in the person's language (the consultation). */
  proposedMatch: (p: Profile, t: Translator, s: SessionState) => matchText(s.data.consult, p.locale, t),
} satisfies Record<string, (p: Profile, t: Translator, s: SessionState, c: TurnContext) => string>;
export type VarName = keyof typeof vars;

/** Named sources of choice options that depend on more than the flow. */
export const choiceSources = {
  /** Every language we speak, each by its own name in its own script. */
  languages: (_p: Profile, t: Translator) => t.locales.map((l) => ({ id: l, label: t.t(l, 'common:language.name') })),
  /**
   * The first page of the language picker: the person's language and those most spoken by
   * newcomers, nine in all (a WhatsApp list holds ten rows), then "other languages".
   */
  languagesFirst: (p: Profile, t: Translator) => {
    const first = [p.locale, ...commonLanguages].filter((l, i, all) => t.locales.includes(l) && all.indexOf(l) === i).slice(0, 9);
    return [...first.map((l) => ({ id: l, label: t.t(l, 'common:language.name') })), { id: 'more', label: t.t(p.locale, 'common:language.more') }];
  },
  /** Languages a person may speak, named in their own language (Intl's names), and "that's all". */
  spokenLanguages: (p: Profile, t: Translator) => [
    ...spokenLanguages.map((code) => ({ id: code, label: languageName(code, p.locale) })),
    { id: 'other', label: t.t(p.locale, 'register:other_language') },
    { id: 'done', label: t.t(p.locale, 'common:done') },
  ],
  /** The upcoming info days by date and time (the prompt lists their titles), and the way back. */
  infoDays: (p: Profile, t: Translator, c: TurnContext) => [
    ...c.infoDays.map((d) => ({ id: d.id, label: formatWhen(d.startsAt, p.locale, c.timeZone) })),
    { id: 'menu', label: t.t(p.locale, 'menu:signup_choices.menu') },
  ],
  /** The days a session can be proposed for, in the person's time zone, and the way back. */
  sessionDays: (p: Profile, t: Translator, c: TurnContext) => [
    ...sessionDays(c.now ?? new Date(), c.timeZone, p.locale),
    { id: 'menu', label: t.t(p.locale, 'menu:signup_choices.menu') },
  ],
  /** The coordinator's free supervision times, and "not now". */
  supervisionSlots: (p: Profile, t: Translator, c: TurnContext) => [
    ...(c.slots ?? []).slice(0, 9).map((x) => ({ id: x.id, label: formatWhen(x.startsAt, p.locale, c.timeZone) })),
    { id: 'later', label: t.t(p.locale, 'supervision:later') },
  ],
  /** The pair's upcoming sessions by date and time, and the way back. */
  upcomingSessions: (p: Profile, t: Translator, c: TurnContext) => [
    ...(c.pair?.sessions ?? []).slice(0, 9).map((x) => ({ id: x.id, label: formatWhen(x.startsAt, p.locale, c.timeZone) })),
    { id: 'menu', label: t.t(p.locale, 'menu:signup_choices.menu') },
  ],
} satisfies Record<string, (p: Profile, t: Translator, c: TurnContext) => { id: string; label: string }[]>;
export type ChoiceSourceName = keyof typeof choiceSources;

/** Scripts written without spaces between words: there, pairs of characters stand in for words. */
const unspaced = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * The words of a text, normalised, with their first five letters as a rough stem ("housing" ~
 * "houses"); Chinese text is cut into overlapping pairs of characters instead.
 */
function stems(text: string): string[] {
  return normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .flatMap((w) => {
      const letters = [...w];
      if (unspaced.test(w)) return letters.slice(0, -1).map((c, i) => c + letters[i + 1]!);
      return letters.length >= 3 ? [letters.slice(0, 5).join('')] : [];
    });
}

/**
 * Named searches that map free text to one of a question's options: the person types their
 * question in their own words instead of picking from the list.
 */
export const searches = {
  /**
   * The FAQ: a word of the question found in a topic's title or keywords counts three times, in
   * its answer once, each divided by how many topics share it ("how" says little, "cost" a lot).
   */
  faq(query: string, optionIds: readonly string[], p: Profile, t: Translator): string | undefined {
    const wanted = new Set(stems(query));
    if (wanted.size === 0) return undefined;
    const topics = optionIds.map((id) => ({
      id,
      strong: new Set(stems(`${t.t(p.locale, `faq:topic.${id}`)} ${t.t(p.locale, `faq:keywords.${id}`)}`)),
      weak: new Set(stems(t.t(p.locale, `faq:answer.${id}`))),
    }));
    const spread = (w: string) => topics.filter((topic) => topic.strong.has(w) || topic.weak.has(w)).length || 1;
    let best: { id: string; score: number } | undefined;
    for (const topic of topics) {
      let score = 0;
      for (const w of wanted) score += (topic.strong.has(w) ? 3 : topic.weak.has(w) ? 1 : 0) / spread(w);
      if (score > (best?.score ?? 0.5)) best = { id: topic.id, score };
    }
    return best?.id;
  },
} satisfies Record<string, (query: string, optionIds: readonly string[], p: Profile, t: Translator) => string | undefined>;
export type SearchName = keyof typeof searches;
