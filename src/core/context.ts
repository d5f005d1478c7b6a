/** An upcoming info day, as a person sees it in chat. */
export interface InfoDayView {
  id: string;
  title: string;
  place: string;
  /** ISO time. */
  startsAt: string;
  signedUp: boolean;
  full: boolean;
}

/** A session of the person's pair, as they see it in chat. */
export interface SessionView {
  id: string;
  /** ISO time. */
  startsAt: string;
  minutes: number;
  mode: 'in_person' | 'online';
  place: string | null;
  /** proposed | confirmed */
  status: string;
}

/** The person's active mentoring pair, and which side of it they are. */
export interface PairView {
  id: string;
  side: 'mentee' | 'mentor';
  /** Upcoming sessions (proposed or confirmed), soonest first. */
  sessions: SessionView[];
}

/**
 * What a turn may need to know beyond the person's own profile and session, loaded by the
 * processor before the engine runs (the engine itself reads nothing).
 */
export interface TurnContext {
  infoDays: InfoDayView[];
  /** The time zone to show times in: the person's organisation's, or the programme's. */
  timeZone: string;
  /** In an active mentoring pair: known on every turn, from the person's own row. */
  inPair?: boolean;
  /** The pair and its sessions, loaded for flows that need them (`needs: ['pair']`). */
  pair?: PairView;
  /** Open supervision times of the person's organisation, soonest first (`needs: ['slots']`). */
  slots?: { id: string; startsAt: string }[];
  /** When the turn happens (the days a session can be proposed for start tomorrow). */
  now?: Date;
}

export const emptyContext: TurnContext = { infoDays: [], timeZone: 'UTC' };

/** A date and time in the person's language and time zone, e.g. "Fri 12 Dec, 18:00". */
export function formatWhen(iso: string, locale: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone };
  try {
    return new Intl.DateTimeFormat(locale, options).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en', options).format(new Date(iso));
  }
}
