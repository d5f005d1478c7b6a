import type { Profile, SessionState } from '../session.js';

/**
 * What an effect asks the world to do beyond the person's profile and session. The processor
 * carries these out in the same transaction that saves the session and queues the replies.
 */
export type Action =
  | { type: 'openHandover' }
  | { type: 'closeHandover' }
  | { type: 'erasePerson' }
  /** Keep the event's content after handling, for a coordinator to read in the inbox. */
  | { type: 'keepEvent' };

export interface EffectContext {
  profile: Profile;
  session: SessionState;
  /** The accepted answer: an option id for a choice, the text for a text question. */
  answer: string | undefined;
  now: Date;
  act(action: Action): void;
}

const roles = ['mentee', 'mentor', 'visitor'] as const;

/**
 * The named effects flows may use. Each changes the profile or session draft, or asks for an
 * action; none talks to a platform or the database itself.
 */
export const effects = {
  /** The person picked a language from the list. */
  setLocale(ctx: EffectContext) {
    if (ctx.answer) ctx.profile.locale = ctx.answer;
    ctx.profile.localeConfirmed = true;
  },
  /** The person confirmed the language we guessed. */
  confirmLocale(ctx: EffectContext) {
    ctx.profile.localeConfirmed = true;
  },
  /** The person agreed to the privacy notice. */
  grantConsent(ctx: EffectContext) {
    ctx.profile.consent = 'granted';
    ctx.profile.consentAt = ctx.now.toISOString();
    // The deep-link source is personal data too: it waits in the session until consent.
    const source = ctx.session.data.source;
    if (typeof source === 'string') ctx.profile.source = source;
    delete ctx.session.data.source;
  },
  /** The person declined: nothing personal is kept, the FAQ and a person stay open to them. */
  declineConsent(ctx: EffectContext) {
    Object.assign(ctx.profile, { consent: 'declined', consentAt: ctx.now.toISOString(), role: null, source: null });
    delete ctx.session.data.source;
  },
  /** What brings the person here; kept only with consent. */
  setRole(ctx: EffectContext) {
    const role = roles.find((r) => r === ctx.answer);
    if (role && ctx.profile.consent === 'granted') ctx.profile.role = role;
  },
  /** Hands the conversation to a coordinator; the bot stays quiet until it is handed back. */
  openHandover(ctx: EffectContext) {
    ctx.session.mode = 'handover';
    ctx.act({ type: 'openHandover' });
  },
  /** Erases everything stored about the person; flows reach it only after a confirmation. */
  eraseMyData(ctx: EffectContext) {
    ctx.act({ type: 'erasePerson' });
  },
} satisfies Record<string, (ctx: EffectContext) => void>;

export type EffectName = keyof typeof effects;
