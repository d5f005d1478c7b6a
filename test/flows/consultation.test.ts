import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flows } from '../../flows/index.js';
import { localesDir } from '../../src/app.js';
import { ConsultRequest } from '../../src/core/consultation.js';
import { createEngine, type Turn } from '../../src/core/engine.js';
import type { InboundContent } from '../../src/core/events.js';
import { createTranslator } from '../../src/core/i18n.js';
import { newProfile, type Profile, type SessionState } from '../../src/core/session.js';
import { askAgain, proposePair, readConsultation } from '../../src/db/pairs.js';
import type { Scope } from '../../src/db/scope.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { chat } from '../helpers/inbox.js';
import { startTestPonte, type TestPonte } from '../helpers/ponte.js';

const translator = createTranslator(localesDir, 'en');
const engine = createEngine({ flows, translator });
const now = new Date('2026-11-23T10:00:00Z');

const mentorDescription = ConsultRequest.parse({
  pairId: 'pair-1',
  side: 'mentee',
  other: { role: 'mentor', ageRange: '36_50', languages: ['pt', 'ar'], area: 'Porto', areas: ['documents', 'work'], contactTimes: ['mornings'] },
});

/** A registered mentee resting at the FAQ's list of topics. */
function menteeInTheFaq(): { profile: Profile; session: SessionState } {
  const profile: Profile = {
    ...newProfile('en'),
    localeConfirmed: true,
    consent: 'granted',
    role: 'mentee',
    registration: {
      role: 'mentee',
      name: 'Amira',
      ageRange: '26_35',
      languages: ['ar', 'pt'],
      area: 'Arroios',
      gender: 'woman',
      contactTimes: ['evenings'],
      completedAt: now.toISOString(),
      prefGender: 'any',
      prefSameLanguage: false,
      heardFrom: 'friend',
    },
  };
  const session: SessionState = { flowId: 'faq', flowVersion: 2, stepId: 'topics', mode: 'bot', misses: 0, promptSeq: 7, data: {} };
  return { profile, session };
}

function turn(from: { profile: Profile; session: SessionState }, content: InboundContent | string): Turn {
  return engine.handle({ ...from, content: typeof content === 'string' ? { kind: 'text', text: content } : content, now });
}

const consult = (data: unknown): InboundContent => ({ kind: 'system', name: 'consult', data: data as Record<string, unknown> });
const texts = (t: Turn) => t.out.map((m) => ('text' in m ? m.text : ''));

describe('the consultation in the engine', () => {
  it('describes the other side without a name and asks yes, no or a question', () => {
    const asked = turn(menteeInTheFaq(), consult(mentorDescription));
    const question = asked.out.at(-1)!;
    expect(question.kind).toBe('choices');
    const text = texts(asked).join('\n');
    expect(text).toContain(translator.t('en', 'consultation:intro_mentor'));
    expect(text).toContain('Porto');
    expect(text).toContain('Portuguese');
    expect(text).toContain(translator.t('en', 'needs:area_choices.documents'));
    expect(question.kind === 'choices' && question.choices.map((c) => c.id.split('.')[1])).toEqual(['yes', 'no', 'question']);
    expect(asked.actions).toEqual([{ type: 'consultation', pairId: 'pair-1', side: 'mentee', answer: 'asked' }]);
  });

  it('speaks the description in the person’s language, names of languages included', () => {
    const { profile, session } = menteeInTheFaq();
    const asked = turn({ profile: { ...profile, locale: 'pt' }, session }, consult(mentorDescription));
    const text = texts(asked).join('\n');
    expect(text).toContain(translator.t('pt', 'consultation:intro_mentor'));
    expect(text).toContain('português');
    expect(text).toContain(translator.t('pt', 'register:age_choices.36_50'));
  });

  it('comes back to the question the person was answering once they have answered', () => {
    const asked = turn(menteeInTheFaq(), consult(mentorDescription));
    expect(asked.session.resume).toEqual({ flowId: 'faq', stepId: 'topics' });
    const yes = turn(asked, '1');
    expect(yes.actions).toEqual([{ type: 'consultation', pairId: 'pair-1', side: 'mentee', answer: 'yes' }]);
    expect(texts(yes)[0]).toBe(translator.t('en', 'consultation:agreed'));
    expect(texts(yes).at(-1)).toBe(translator.t('en', 'faq:topics'));
    expect(yes.session).toMatchObject({ flowId: 'faq', stepId: 'topics' });
    expect(yes.session.resume).toBeUndefined();
    expect(yes.session.data.consult).toBeUndefined();
  });

  it('records a no at once, then the reason when one is given', () => {
    const asked = turn(menteeInTheFaq(), consult(mentorDescription));
    const no = turn(asked, '2');
    expect(no.actions).toEqual([{ type: 'consultation', pairId: 'pair-1', side: 'mentee', answer: 'no' }]);
    const why = turn(no, 'I would rather have a woman as mentor');
    expect(why.actions).toEqual([{ type: 'consultation', pairId: 'pair-1', side: 'mentee', answer: 'no', text: 'I would rather have a woman as mentor' }]);
    expect(why.session).toMatchObject({ flowId: 'faq', stepId: 'topics' });
  });

  it('leaves out the reason when the person skips it', () => {
    const no = turn(turn(menteeInTheFaq(), consult(mentorDescription)), '2');
    const skipped = turn(no, 'skip');
    expect(skipped.actions).toEqual([]);
    expect(skipped.session.data.consult).toBeUndefined();
  });

  it('passes a question on and tells the person a coordinator will answer', () => {
    const question = turn(turn(menteeInTheFaq(), consult(mentorDescription)), '3');
    const sent = turn(question, 'Does the mentor know about nursing diplomas?');
    expect(sent.actions).toEqual([{ type: 'consultation', pairId: 'pair-1', side: 'mentee', answer: 'question', text: 'Does the mentor know about nursing diplomas?' }]);
    expect(texts(sent)[0]).toBe(translator.t('en', 'consultation:question_sent'));
  });

  it('does not push the question at someone with a coordinator or who asked to stop', () => {
    for (const mode of ['handover', 'stopped'] as const) {
      const { profile, session } = menteeInTheFaq();
      const quiet = turn({ profile, session: { ...session, mode } }, consult(mentorDescription));
      expect(quiet.out).toEqual([]);
      expect(quiet.session).toMatchObject({ flowId: 'faq', stepId: 'topics', mode });
      expect(quiet.actions).toEqual([{ type: 'consultation', pairId: 'pair-1', side: 'mentee', answer: 'not_asked', mode }]);
    }
  });

  it('asks nothing about data of another shape', () => {
    const odd = turn(menteeInTheFaq(), consult({ pairId: 'pair-1', side: 'mentee', other: { name: 'Rui' } }));
    expect(odd.out).toEqual([]);
    expect(odd.actions).toEqual([]);
  });
});

describe('the consultation with the database', () => {
  let database: TestDatabase;
  let app: TestPonte;
  beforeEach(async () => {
    database = sqliteDatabase();
    app = await startTestPonte(database.url);
  });
  afterEach(async () => {
    await app.stop();
    await database.drop();
  });

  const admin: Scope = { staffId: 'staff-test', role: 'admin', organisationId: null };
  const onboarded = ['/start', '1', '1'];

  async function registered(): Promise<{ menteeId: string; mentorId: string }> {
    await chat(app, 'mentee', [...onboarded, '#mentee', '#now', '#26_35', 'Amira', '#ar', '#pt', '#done', 'Arroios, Lisboa', '#woman', '#evenings', '#done', '#yes', '#any', '#no', '#friend', '#documents', '#done', '#this_month', 'Papers for my residence permit', '#no', '#3', '#2', '#4', '#1']);
    await chat(app, 'mentor', [...onboarded, '#mentor', '#now', '#36_50', 'Rui', '#pt', '#done', 'Porto', '#man', '#evenings', '#done', '#yes', '#documents', '#done', '#2', 'ACME Lda', '#no', '#done', '#accept', '#2', '#2', '#1', '#1']);
    const prisma = app.ponte.db.prisma;
    const [mentee, mentor] = await Promise.all([prisma.person.findFirstOrThrow({ where: { address: 'mentee' } }), prisma.person.findFirstOrThrow({ where: { address: 'mentor' } })]);
    expect([mentee.role, mentor.role]).toEqual(['mentee', 'mentor']);
    return { menteeId: mentee.id, mentorId: mentor.id };
  }

  /** Proposes the pair as the inbox does and lets both people's queues run. */
  async function propose(people: { menteeId: string; mentorId: string }) {
    const before = app.delivered.length;
    const proposal = await app.ponte.committer.run((tx) => proposePair(tx, admin, { ...people, score: 70 }, Date.now()));
    await app.ponte.ingest(
      proposal.consult.map((c) => ({ channel: c.channel, externalId: `inbox:${randomUUID()}`, address: c.address, receivedAt: Date.now(), content: { kind: 'system' as const, name: 'consult' as const, data: { ...c.request } } })),
    );
    await app.settle();
    return { ...proposal, asked: app.delivered.slice(before) };
  }

  const pair = (id: string) => app.ponte.db.prisma.pair.findUniqueOrThrow({ where: { id } });
  const items = () => app.ponte.db.prisma.inboxItem.findMany({ where: { status: 'open' }, select: { kind: true, personId: true } });

  it('asks both sides about the other without names or contact details', async () => {
    const people = await registered();
    const { consult, asked } = await propose(people);
    expect(JSON.stringify(consult.map((c) => c.request))).not.toMatch(/Amira|Rui|ACME|residence/);
    const toMentee = asked.filter((d) => d.address === 'mentee').map((d) => d.text).join('\n');
    const toMentor = asked.filter((d) => d.address === 'mentor').map((d) => d.text).join('\n');
    expect(toMentee).toContain('Porto');
    expect(toMentee).not.toContain('Rui');
    expect(toMentee).not.toContain('ACME');
    expect(toMentor).toContain('Arroios, Lisboa');
    expect(toMentor).toContain(translator.t('en', 'needs:area_choices.documents'));
    expect(toMentor).not.toContain('Amira');
    expect(toMentor).not.toContain('residence permit');
  });

  it('agrees the pair when both say yes, and asks a coordinator to confirm it', async () => {
    const people = await registered();
    const { pairId } = await propose(people);
    expect(readConsultation((await pair(pairId)).consultation).asked).toMatchObject({ mentee: expect.any(String), mentor: expect.any(String) });
    await chat(app, 'mentee', ['1']);
    expect((await pair(pairId)).status).toBe('consulting');
    expect(await items()).toEqual([]);
    await chat(app, 'mentor', ['1']);
    const agreed = await pair(pairId);
    expect(agreed.status).toBe('agreed');
    expect(readConsultation(agreed.consultation)).toMatchObject({ mentee: { answer: 'yes' }, mentor: { answer: 'yes' } });
    expect(await items()).toEqual([{ kind: 'consultation_agreed', personId: people.menteeId }]);
  });

  it('declines the pair on one no, keeping who said it and why', async () => {
    const people = await registered();
    const { pairId } = await propose(people);
    const no = await chat(app, 'mentor', ['2']);
    expect(no.at(-1)!.text).toBe(translator.t('en', 'consultation:why_not'));
    expect(await pair(pairId)).toMatchObject({ status: 'declined', reason: 'declined by the mentor' });
    expect(await items()).toEqual([{ kind: 'consultation_declined', personId: people.menteeId }]);
    await chat(app, 'mentor', ['My evenings are full until March']);
    const declined = await pair(pairId);
    expect(declined.reason).toBe('declined by the mentor: My evenings are full until March');
    expect(readConsultation(declined.consultation).mentor).toMatchObject({ answer: 'no', reason: 'My evenings are full until March' });
    // The mentee's yes, coming after, changes nothing: the pair has moved on.
    await chat(app, 'mentee', ['1']);
    const after = await pair(pairId);
    expect(after.status).toBe('declined');
    expect(readConsultation(after.consultation).mentee).toBeUndefined();
  });

  it('keeps a question for a coordinator, then takes the answer when the person is asked again', async () => {
    const people = await registered();
    const { pairId } = await propose(people);
    const sent = await chat(app, 'mentee', ['3', 'Can we meet near Arroios?']);
    expect(sent.map((d) => d.text)).toContain(translator.t('en', 'consultation:question_sent'));
    expect(readConsultation((await pair(pairId)).consultation).mentee).toMatchObject({ answer: 'question', question: 'Can we meet near Arroios?' });
    expect(await items()).toEqual([{ kind: 'consultation_question', personId: people.menteeId }]);
    // The coordinator answers on the person's page, then asks again.
    const target = await app.ponte.committer.run((tx) => askAgain(tx, admin, pairId, 'mentee', Date.now()));
    await app.ponte.ingest([{ channel: target.channel, externalId: `inbox:${randomUUID()}`, address: target.address, receivedAt: Date.now(), content: { kind: 'system', name: 'consult', data: { ...target.request } } }]);
    await app.settle();
    expect(await items()).toEqual([]);
    await chat(app, 'mentee', ['1']);
    expect(readConsultation((await pair(pairId)).consultation).mentee).toMatchObject({ answer: 'yes', question: 'Can we meet near Arroios?' });
  });

  it('brings the person back to what they were doing when the proposal came', async () => {
    const people = await registered();
    // The mentee opens the FAQ; the proposal interrupts them there.
    await chat(app, 'mentee', ['menu', '#faq']);
    const { asked } = await propose(people);
    expect(asked.filter((d) => d.address === 'mentee').at(-1)!.message.kind).toBe('choices');
    const back = await chat(app, 'mentee', ['1']);
    expect(back.map((d) => ('text' in d.message ? d.message.text : ''))).toEqual([translator.t('en', 'consultation:agreed'), translator.t('en', 'faq:topics')]);
    const conversation = await app.ponte.db.prisma.conversation.findUniqueOrThrow({ where: { personId: people.menteeId } });
    expect(conversation).toMatchObject({ flowId: 'faq', stepId: 'topics' });
  });
});
