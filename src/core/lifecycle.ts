import { DateTime } from 'luxon';
import { z } from 'zod';
import { formatWhen, type SessionView } from './context.js';
import type { Translator } from './i18n.js';

export const PairSide = z.enum(['mentee', 'mentor']);
export type Side = z.infer<typeof PairSide>;

export const otherSide = (side: Side): Side => (side === 'mentee' ? 'mentor' : 'mentee');

/** A proposed session, as the other side is asked about it (`push` of `session_offer`). */
export const SessionOffer = z.object({
  flowId: z.literal('session_offer'),
  sessionId: z.string(),
  startsAt: z.string(),
  minutes: z.number().int(),
  mode: z.enum(['in_person', 'online']),
  place: z.string().nullable(),
  from: PairSide,
});

/** After a session: the side asked whether it happened and how it went (`push` of `feedback`). */
export const FeedbackRequest = z.object({ flowId: z.literal('feedback'), sessionId: z.string(), startsAt: z.string(), side: PairSide });

/** The monthly survey sent (`push` of `survey_<role>`), by the row that keeps its answers. */
export const SurveyRequest = z.object({ flowId: z.enum(['survey_mentee', 'survey_mentor']), surveyId: z.string() });

/** The end of the process (`push` of `closure`). */
export const ClosureRequest = z.object({ flowId: z.literal('closure'), pairId: z.string(), months: z.number().int() });

/** "9", "9.30", "09h30" → "09:30" (the flow has checked the shape). */
export function normaliseTime(typed: string): string {
  const [, h, m] = /^(\d{1,2})(?:[:.hH](\d{2}))?$/.exec(typed.trim()) ?? [];
  return `${String(Number(h ?? 0)).padStart(2, '0')}:${m ?? '00'}`;
}

/** The days a session can be proposed for: tomorrow and the eight after (a WhatsApp list holds ten rows with "menu"). */
export function sessionDays(now: Date, timeZone: string, locale: string): { id: string; label: string }[] {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  return Array.from({ length: 9 }, (_, i) => {
    const day = today.plus({ days: i + 1 });
    let label: string;
    try {
      label = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone }).format(day.toJSDate());
    } catch {
      label = day.toISODate()!;
    }
    return { id: day.toISODate()!, label };
  });
}

/** "Tue 24 Nov, 18:00, 60 minutes, Biblioteca de Arroios" in the person's language and time zone. */
export function sessionSummary(s: Pick<SessionView, 'startsAt' | 'minutes' | 'mode' | 'place'>, locale: string, timeZone: string, t: Translator): string {
  return t.t(locale, 'sessions:summary', {
    when: formatWhen(s.startsAt, locale, timeZone),
    minutes: s.minutes,
    where: s.mode === 'online' ? t.t(locale, 'sessions:online') : (s.place ?? t.t(locale, 'sessions:in_person')),
  });
}

/** After the informal meeting, each side is asked whether to go on (`push` of `after_meeting`). */
export const MeetingFollowUp = z.object({ flowId: z.literal('after_meeting'), pairId: z.string(), side: PairSide });

/** A confirmed pair's ground rules, to be agreed to (`push` of `ground_rules`). */
export const RulesRequest = z.object({ flowId: z.literal('ground_rules'), pairId: z.string(), side: PairSide });
