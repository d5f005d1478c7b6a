import { z } from 'zod';
import type { Needs, Registration } from './registration.js';

/** What the engine knows of a person beyond the conversation: kept in the Person row. */
export interface Profile {
  locale: string;
  localeConfirmed: boolean;
  consent: 'granted' | 'declined' | null;
  /** ISO time of the consent answer. */
  consentAt: string | null;
  role: 'mentee' | 'mentor' | 'visitor' | null;
  source: string | null;
  /** The registration answers, once given (only with consent). */
  registration: Registration | null;
  needs: Needs | null;
  surveysOff: boolean;
}

/** A person the bot has not met yet, in the language guessed for them. */
export function newProfile(locale: string): Profile {
  return { locale, localeConfirmed: false, consent: null, consentAt: null, role: null, source: null, registration: null, needs: null, surveysOff: false };
}

const Json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]));

/** Where a person is in the conversation; stored in the Conversation row and read back on every event. */
export const SessionState = z.object({
  flowId: z.string(),
  flowVersion: z.number().int(),
  /** null when the conversation rests (a flow ended). */
  stepId: z.string().nullable(),
  mode: z.enum(['bot', 'handover', 'stopped']),
  /** Unreadable answers in a row at the current step. */
  misses: z.number().int().min(0),
  /** Increases with every question asked; a button from an older question is recognised as stale. */
  promptSeq: z.number().int().min(0),
  /** Where to return after an interruption (the language command, the help offer). */
  resume: z.object({ flowId: z.string(), stepId: z.string() }).optional(),
  /** The questions answered last, newest at the end, for the `back` command. */
  history: z.array(z.object({ flowId: z.string(), stepId: z.string() })).optional(),
  data: z.record(z.string(), Json),
});
export type SessionState = z.infer<typeof SessionState>;

/** The parts of the session that live in the `state` JSON column (the rest has its own columns). */
export function sessionStateJson(s: SessionState): Record<string, unknown> {
  const { misses, promptSeq, resume, history, data } = s;
  return { misses, promptSeq, data, ...(resume ? { resume } : {}), ...(history?.length ? { history } : {}) };
}
