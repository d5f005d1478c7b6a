import { randomBytes } from 'node:crypto';
import { ConsultRequest, type ConsultAnswer, type PairSide } from '../consultation.js';
import type { TurnContext } from '../context.js';
import { ClosureRequest, FeedbackRequest, MeetingFollowUp, normaliseTime, otherSide, RulesRequest, SessionOffer, SurveyRequest, type Side } from '../lifecycle.js';
import { Needs, Registration, zoneChoices } from '../registration.js';
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
  | { type: 'keepEvent' }
  /** A crisis in the person's words: an urgent item for a coordinator, now. */
  | { type: 'openCrisis' }
  | { type: 'saveAssessment'; kind: 'baseline' | 'final'; role: string; answers: Record<string, number> }
  | { type: 'openCase'; reference: string; kind: string; happened: string; danger: boolean; description: string; contactOk: boolean }
  /** Send the person a file of everything stored about them, at this point among the turn's messages. */
  | { type: 'exportData'; at: number }
  | { type: 'infoDaySignup'; infoDayId: string }
  | { type: 'infoDayCancel'; infoDayId: string }
  /**
   * A step of the consultation about a proposed pair, kept on the pair for the coordinator: the
   * person was asked (or could not be: `mode`), or answered (`text`: their question, or why not).
   */
  | { type: 'consultation'; pairId: string; side: PairSide; answer: ConsultAnswer; text?: string; mode?: 'handover' | 'stopped' }
  /** A session proposed to the other side of the pair (replacing one being moved). */
  | { type: 'proposeSession'; pairId: string; side: Side; day: string; time: string; minutes: number; mode: 'in_person' | 'online'; place: string | null; replaces?: string }
  /** The other side's answer to a proposed session. */
  | { type: 'answerSession'; sessionId: string; side: Side; answer: 'accept' | 'decline' | 'other_time' }
  | { type: 'cancelSession'; pairId: string; sessionId: string; side: Side }
  | { type: 'sessionFeedback'; sessionId: string; side: Side; happened: boolean; rating?: number; comment?: string; progress?: string }
  | { type: 'surveyAnswers'; surveyId: string; answers: Record<string, number>; needsCoordinator: boolean }
  /** At closure: carry on a while, a new process, or finish. */
  | { type: 'closureChoice'; pairId: string; choice: 'extend' | 'new' | 'finish' }
  /** After the informal meeting: go on together, or not. */
  | { type: 'afterMeeting'; pairId: string; side: Side; answer: 'yes' | 'no' }
  /** The ground rules and the code of ethics, agreed to in chat. */
  | { type: 'acknowledgeRules'; pairId: string; side: Side }
  /** A mentor books one of the coordinator's supervision times. */
  | { type: 'bookSupervision'; slotId: string }
  /** Something worrying, told in a session's feedback: a case for the coordinators. */
  | { type: 'feedbackConcern'; sessionId: string; side: Side; text: string };

export interface EffectContext {
  profile: Profile;
  session: SessionState;
  /** What the processor loaded for the turn (the pair, for the sessions). */
  context: TurnContext;
  /** The accepted answer: an option id for a choice, the text for a text question. */
  answer: string | undefined;
  now: Date;
  /** How many messages the turn has said so far (where a message an action sends belongs). */
  said: number;
  act(action: Action): void;
}

const roles = ['mentee', 'mentor', 'visitor'] as const;

const yes = (v: unknown) => v === 'yes';

/** Takes the flow's working answers out of the session: once saved they live in the profile. */
function take(session: SessionState, keys: readonly string[]): Record<string, unknown> {
  const taken: Record<string, unknown> = {};
  for (const k of keys) {
    taken[k] = session.data[k];
    delete session.data[k];
  }
  return taken;
}

const basicKeys = ['name', 'ageRange', 'guardian', 'supervisedProgramme', 'languages', 'area', 'gender', 'contactTimes', 'timeZone'] as const;

function registrationBasics(d: Record<string, unknown>, now: Date) {
  return {
    name: d.name,
    ageRange: d.ageRange,
    ...(d.ageRange === 'under_18' ? { guardianConsent: yes(d.guardian), supervisedProgramme: yes(d.supervisedProgramme) } : {}),
    languages: d.languages,
    area: d.area,
    gender: d.gender,
    contactTimes: d.contactTimes,
    // "yes" (the clock shown was right) keeps the organisation's zone; a pick names another.
    ...(typeof d.timeZone === 'string' && zoneChoices[d.timeZone] ? { timeZone: zoneChoices[d.timeZone] } : {}),
    completedAt: now.toISOString(),
  };
}

/** Saves a registration the flow has gathered; a flow that gathered a wrong shape is a bug and throws. */
function saveRegistration(ctx: EffectContext, candidate: unknown): void {
  const registration = Registration.parse(candidate);
  ctx.profile.registration = registration;
  ctx.profile.role = registration.role;
}

/**
 * Passes the person's answer about the proposed match in `data.consult` on to the pair. `keep`
 * leaves the consultation in the session for a question still to come (why not).
 */
function answerConsultation(ctx: EffectContext, answer: ConsultAnswer, options: { textKey?: string; keep?: boolean } = {}): void {
  const request = ConsultRequest.safeParse(ctx.session.data.consult);
  const d = take(ctx.session, [...(options.keep ? [] : ['consult']), ...(options.textKey ? [options.textKey] : [])]);
  // Reached without a consultation (BACK into the flow after it ended): nothing to pass on.
  if (!request.success) return;
  const text = options.textKey && typeof d[options.textKey] === 'string' ? (d[options.textKey] as string).trim() : '';
  ctx.act({ type: 'consultation', pairId: request.data.pairId, side: request.data.side, answer, ...(text ? { text } : {}) });
}

/** Whether the person would like to go on after the informal meeting (in `data.push`). */
function answerAfterMeeting(ctx: EffectContext, answer: 'yes' | 'no'): void {
  const request = MeetingFollowUp.safeParse(ctx.session.data.push);
  take(ctx.session, ['push']);
  if (request.success) ctx.act({ type: 'afterMeeting', pairId: request.data.pairId, side: request.data.side, answer });
}

/** The person's answer to a session the other side proposed (in `data.push`). */
function answerOffer(ctx: EffectContext, answer: 'accept' | 'decline' | 'other_time'): void {
  const offer = SessionOffer.safeParse(ctx.session.data.push);
  take(ctx.session, ['push']);
  if (offer.success) ctx.act({ type: 'answerSession', sessionId: offer.data.sessionId, side: otherSide(offer.data.from), answer });
}

/** A short case reference a person can quote: no 0/O or 1/I to misread. */
export function caseReference(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The named effects flows may use. Each changes the profile or session draft, or asks for an
 * action; none talks to a platform or the database itself.
 */
export const effects = {
  /** The person picked a language from the list. */
  setLocale(ctx: EffectContext) {
    // "other languages" is not a language: the next page asks again.
    if (ctx.answer === 'more') return;
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
  saveMenteeRegistration(ctx: EffectContext) {
    const d = take(ctx.session, [...basicKeys, 'prefGender', 'prefSameLanguage', 'heardFrom']);
    saveRegistration(ctx, { role: 'mentee', ...registrationBasics(d, ctx.now), prefGender: d.prefGender, prefSameLanguage: yes(d.prefSameLanguage), heardFrom: d.heardFrom });
  },
  saveMentorRegistration(ctx: EffectContext) {
    const d = take(ctx.session, [...basicKeys, 'expertise', 'capacity', 'organisation', 'specialConsent', 'migrationBackground', 'training']);
    saveRegistration(ctx, {
      role: 'mentor',
      ...registrationBasics(d, ctx.now),
      expertise: d.expertise,
      capacity: Number(d.capacity),
      ...(typeof d.organisation === 'string' && d.organisation.trim() ? { organisation: d.organisation } : {}),
      // Special-category data: kept only when the person said yes to those questions.
      ...(yes(d.specialConsent) && d.migrationBackground ? { migrationBackground: d.migrationBackground } : {}),
      training: d.training,
      ethicsAcknowledgedAt: ctx.now.toISOString(),
    });
  },
  saveNeeds(ctx: EffectContext) {
    const d = take(ctx.session, ['needAreas', 'urgency', 'goal']);
    ctx.profile.needs = Needs.parse({ areas: d.needAreas, urgency: d.urgency, goal: d.goal, at: ctx.now.toISOString() });
  },
  /** The Likert answers q1..qN of a self-assessment, kept as the baseline. */
  saveBaselineAssessment(ctx: EffectContext) {
    const keys = Object.keys(ctx.session.data).filter((k) => /^q\d+$/.test(k));
    const answers = Object.fromEntries(Object.entries(take(ctx.session, keys)).map(([k, v]) => [k, Number(v)]));
    ctx.act({ type: 'saveAssessment', kind: 'baseline', role: ctx.profile.role ?? 'visitor', answers });
  },
  /** Files the report the flow gathered and gives the person its reference. */
  openCase(ctx: EffectContext) {
    const d = take(ctx.session, ['reportKind', 'happened', 'danger', 'description', 'contactOk']);
    const reference = caseReference();
    ctx.session.data.caseReference = reference;
    ctx.act({
      type: 'openCase',
      reference,
      kind: String(d.reportKind),
      happened: String(d.happened),
      danger: yes(d.danger),
      description: String(d.description ?? ''),
      contactOk: yes(d.contactOk),
    });
  },
  /** Immediate danger said in a flow: the same urgent item as crisis words. */
  openCrisis(ctx: EffectContext) {
    ctx.act({ type: 'openCrisis' });
  },
  /** Signs the person up for the info day chosen in the flow (`data.infoDay`). */
  signUpInfoDay(ctx: EffectContext) {
    if (typeof ctx.session.data.infoDay === 'string') ctx.act({ type: 'infoDaySignup', infoDayId: ctx.session.data.infoDay });
    delete ctx.session.data.infoDay;
  },
  cancelInfoDay(ctx: EffectContext) {
    if (typeof ctx.session.data.infoDay === 'string') ctx.act({ type: 'infoDayCancel', infoDayId: ctx.session.data.infoDay });
    delete ctx.session.data.infoDay;
  },
  exportMyData(ctx: EffectContext) {
    ctx.act({ type: 'exportData', at: ctx.said });
  },
  stopSurveys(ctx: EffectContext) {
    ctx.profile.surveysOff = true;
  },
  /** The person would like the proposed match. */
  consultYes(ctx: EffectContext) {
    answerConsultation(ctx, 'yes');
  },
  /** The person said no: recorded at once, before the optional why (which may never come). */
  consultNo(ctx: EffectContext) {
    answerConsultation(ctx, 'no', { keep: true });
  },
  /** Why not, in the person's words, when they gave a reason (a skip gives none). */
  consultReason(ctx: EffectContext) {
    const reason = ctx.session.data.consultReason;
    if (typeof reason === 'string' && reason.trim()) answerConsultation(ctx, 'no', { textKey: 'consultReason' });
    else take(ctx.session, ['consult', 'consultReason']);
  },
  /** A question for the coordinator before deciding: it waits in the inbox. */
  consultQuestion(ctx: EffectContext) {
    answerConsultation(ctx, 'question', { textKey: 'consultQuestion' });
  },
  /** Sends the session the flow gathered to the other side of the pair. */
  proposeSession(ctx: EffectContext) {
    const pair = ctx.context.pair;
    const d = take(ctx.session, ['sessionDay', 'sessionTime', 'sessionMinutes', 'sessionMode', 'sessionPlace', 'replaces']);
    if (!pair) return;
    const mode = d.sessionMode === 'online' ? 'online' : 'in_person';
    ctx.act({
      type: 'proposeSession',
      pairId: pair.id,
      side: pair.side,
      day: String(d.sessionDay),
      time: normaliseTime(String(d.sessionTime)),
      minutes: Number(d.sessionMinutes),
      mode,
      place: mode === 'in_person' && typeof d.sessionPlace === 'string' ? d.sessionPlace : null,
      ...(typeof d.replaces === 'string' ? { replaces: d.replaces } : {}),
    });
  },
  /** Moving a session: the next proposal replaces it once sent. */
  replaceSession(ctx: EffectContext) {
    ctx.session.data.replaces = ctx.session.data.sessionId;
  },
  cancelSession(ctx: EffectContext) {
    const { sessionId } = take(ctx.session, ['sessionId']);
    const pair = ctx.context.pair;
    if (pair && typeof sessionId === 'string') ctx.act({ type: 'cancelSession', pairId: pair.id, sessionId, side: pair.side });
  },
  acceptSession(ctx: EffectContext) {
    answerOffer(ctx, 'accept');
  },
  declineSession(ctx: EffectContext) {
    answerOffer(ctx, 'decline');
  },
  /** Not then: they propose another time themselves, next. */
  offerOtherTime(ctx: EffectContext) {
    answerOffer(ctx, 'other_time');
  },
  saveFeedback(ctx: EffectContext) {
    const request = FeedbackRequest.safeParse(ctx.session.data.push);
    const d = take(ctx.session, ['push', 'happened', 'rating', 'comment', 'progress']);
    if (!request.success) return;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? { value: v.trim() } : undefined);
    ctx.act({
      type: 'sessionFeedback',
      sessionId: request.data.sessionId,
      side: request.data.side,
      happened: yes(d.happened),
      ...(d.rating !== undefined ? { rating: Number(d.rating) } : {}),
      ...(text(d.comment) ? { comment: text(d.comment)!.value } : {}),
      ...(text(d.progress) ? { progress: text(d.progress)!.value } : {}),
    });
  },
  saveSurvey(ctx: EffectContext) {
    const request = SurveyRequest.safeParse(ctx.session.data.push);
    const keys = Object.keys(ctx.session.data).filter((k) => k.startsWith('survey_'));
    const d = take(ctx.session, ['push', 'needsCoordinator', ...keys]);
    if (!request.success) return;
    const answers = Object.fromEntries(keys.map((k) => [k.slice('survey_'.length), Number(d[k])]));
    ctx.act({ type: 'surveyAnswers', surveyId: request.data.surveyId, answers, needsCoordinator: yes(d.needsCoordinator) });
  },
  /** The self-assessment again at closure, kept beside the baseline. */
  saveFinalAssessment(ctx: EffectContext) {
    const keys = Object.keys(ctx.session.data).filter((k) => /^q\d+$/.test(k));
    const answers = Object.fromEntries(Object.entries(take(ctx.session, keys)).map(([k, v]) => [k, Number(v)]));
    ctx.act({ type: 'saveAssessment', kind: 'final', role: ctx.profile.role ?? 'visitor', answers });
  },
  closureChoice(ctx: EffectContext) {
    const request = ClosureRequest.safeParse(ctx.session.data.push);
    const { closureChoice } = take(ctx.session, ['push', 'closureChoice']);
    if (!request.success || !['extend', 'new', 'finish'].includes(String(closureChoice))) return;
    ctx.act({ type: 'closureChoice', pairId: request.data.pairId, choice: closureChoice as 'extend' | 'new' | 'finish' });
  },
  continueAfterMeeting(ctx: EffectContext) {
    answerAfterMeeting(ctx, 'yes');
  },
  stopAfterMeeting(ctx: EffectContext) {
    answerAfterMeeting(ctx, 'no');
  },
  acknowledgeRules(ctx: EffectContext) {
    const request = RulesRequest.safeParse(ctx.session.data.push);
    take(ctx.session, ['push']);
    if (request.success) ctx.act({ type: 'acknowledgeRules', pairId: request.data.pairId, side: request.data.side });
  },
  raiseConcern(ctx: EffectContext) {
    const request = FeedbackRequest.safeParse(ctx.session.data.push);
    const { concern } = take(ctx.session, ['concern']);
    if (request.success && typeof concern === 'string' && concern.trim()) {
      ctx.act({ type: 'feedbackConcern', sessionId: request.data.sessionId, side: request.data.side, text: concern.trim() });
    }
  },
  bookSupervision(ctx: EffectContext) {
    const { slotId } = take(ctx.session, ['slotId', 'push']);
    if (typeof slotId === 'string') ctx.act({ type: 'bookSupervision', slotId });
  },
  /** Erases everything stored about the person; flows reach it only after a confirmation. */
  eraseMyData(ctx: EffectContext) {
    ctx.act({ type: 'erasePerson' });
  },
} satisfies Record<string, (ctx: EffectContext) => void>;

export type EffectName = keyof typeof effects;
