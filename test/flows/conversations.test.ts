import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MenteeRegistration, MentorRegistration } from '../../src/core/registration.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestPonte, type Delivered, type TestPonte } from '../helpers/ponte.js';

/**
 * Whole conversations through the local channel, as `npm run chat` would have them: answers by
 * number (the same in every language) and free text where a question wants it.
 */
describe.each(['en', 'pt', 'ar', 'uk', 'ti'])('the conversations in %s', (lang) => {
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

  const last = new Map<string, Delivered[]>();
  /**
   * Plays a script: `#id` taps the option with that id in the last question (typing its
   * number, as on a phone without buttons); anything else is typed as it is.
   */
  async function chat(who: string, lines: string[]): Promise<Delivered[]> {
    const out: Delivered[] = [];
    for (const line of lines) {
      let typed = line;
      if (line.startsWith('#')) {
        const question = [...(last.get(who) ?? [])].reverse().find((d) => d.message.kind === 'choices');
        const choices = question?.message.kind === 'choices' ? question.message.choices : [];
        const index = choices.findIndex((c) => c.id.endsWith(`.${line.slice(1)}`));
        expect(index, `option ${line} in ${JSON.stringify(choices.map((c) => c.id))}`).toBeGreaterThanOrEqual(0);
        typed = String(index + 1);
      }
      const replies = await app.say(who, typed, lang);
      last.set(who, replies);
      out.push(...replies);
    }
    return out;
  }
  const person = (address: string) => app.ponte.db.prisma.person.findFirstOrThrow({ where: { address } });
  const t = (key: string, vars?: Record<string, string>) => app.ponte.translator.t(lang, key, vars);
  /** Only this language's words reach the person (Arabic: every message has Arabic letters). */
  function expectLanguage(out: Delivered[]) {
    expect(out.every((d) => d.message.locale === lang)).toBe(true);
    const script = { ar: /[\u0600-\u06FF]/, uk: /[\u0400-\u04FF]/, ti: /[\u1200-\u137F]/ }[lang];
    if (script) for (const d of out) expect(d.text, d.text).toMatch(script);
  }

  const onboarded = ['/start', '1', '1'];

  it('signs up a mentee: basics, needs, goal and the baseline self-assessment', async () => {
    const out = await chat('m1', [
      ...onboarded,
      '#mentee',
      '#now',
      '#26_35',
      'Amira',
      '#ar',
      '#pt',
      '#done',
      'Arroios, Lisboa',
      '#woman',
      '#evenings',
      '#done',
      '#yes', // the clock shown is right
      '#woman',
      '#yes',
      '#info_day',
      '#housing',
      '#done',
      '#this_month',
      'Find a room and a job as a nurse',
      '#no',
      '#3',
      '#2',
      '#4',
      '#1',
    ]);
    expectLanguage(out);
    const p = await person('m1');
    const registration = MenteeRegistration.parse(p.registration);
    expect(registration).toMatchObject({ name: 'Amira', ageRange: '26_35', gender: 'woman', contactTimes: ['evenings'], prefGender: 'woman', heardFrom: 'info_day' });
    expect(registration.languages).toHaveLength(2);
    expect(p.needs).toMatchObject({ areas: ['housing'], urgency: 'this_month', goal: 'Find a room and a job as a nurse' });
    const baseline = await app.ponte.db.prisma.assessment.findFirstOrThrow({ where: { personId: p.id } });
    expect(baseline).toMatchObject({ kind: 'baseline', role: 'mentee', answers: { q1: 3, q2: 2, q3: 4, q4: 1 } });
    expect(out.at(-1)!.text).toContain(t('menu:main'));
  });

  it('signs up a mentor who accepts the code of ethics, keeping special data only with consent', async () => {
    await chat('t1', [...onboarded, '#mentor', '#now', '#36_50', 'Rui', '#pt', '#done', 'Porto', '#man', '#mornings', '#done']);
    await chat('t1', ['#yes', '#documents', '#done', '#2', 'ACME Lda', '#yes', '#yes', '#done', '#accept', '#2', '#2', '#1', '#1']);
    const p = await person('t1');
    const registration = MentorRegistration.parse(p.registration);
    expect(registration).toMatchObject({ name: 'Rui', expertise: ['documents'], capacity: 2, organisation: 'ACME Lda', migrationBackground: 'yes', training: 'done' });
    expect(p.role).toBe('mentor');
  });

  it('stops a minor without a guardian’s agreement, and flags one with it', async () => {
    const out = await chat('kid1', [...onboarded, '#mentee', '#now', '#under_18', '#no']);
    expect(out.at(-1)!.text).toContain(t('register:minor_stop'));
    await chat('kid2', [...onboarded, '#mentee', '#now', '#under_18', '#yes', '#yes', 'Sam', '#pt', '#done', 'Sintra', '#prefer_not', '#afternoons']);
    await chat('kid2', ['#done', '#yes', '#any', '#no', '#organisation', '#education', '#done', '#no_rush', 'Do well at school', '#no', '#1', '#1', '#1', '#1']);
    const registration = MenteeRegistration.parse((await person('kid2')).registration);
    expect(registration).toMatchObject({ ageRange: 'under_18', guardianConsent: true, supervisedProgramme: true });
  });

  it('reports a problem with a reference, urgently when someone is in danger, and keeps it through erasure', async () => {
    const out = await chat('r1', [...onboarded, '#visitor', 'report', '#harassment', '#today', '#yes', 'He keeps sending me messages at night', '#yes']);
    const item = await app.ponte.db.prisma.case.findFirstOrThrow();
    expect(item).toMatchObject({ kind: 'harassment', happened: 'today', danger: true, urgent: true, contactOk: true, status: 'new' });
    expect(out.some((d) => d.text.includes(t('common:crisis')))).toBe(true);
    expect(out.some((d) => d.text.includes(item.reference))).toBe(true);
    expectLanguage(out);
    const reporter = await person('r1');
    expect(item.reporterId).toBe(reporter.id);
    // Erase: menu → My data → erase → yes → yes.
    await chat('r1', ['menu', '#privacy', '#erase', '#yes', '#yes']);
    expect(await app.ponte.db.prisma.person.count({ where: { address: 'r1' } })).toBe(0);
    expect(await app.ponte.db.prisma.case.findFirstOrThrow()).toMatchObject({ reference: item.reference, reporterId: null });
  });

  it('answers crisis words at once with 112 and an urgent item, even during a handover', async () => {
    await chat('c1', [...onboarded, '#visitor', '#person', '#yes']);
    const help = lang === 'en' ? 'my husband hit me, I am in danger' : t('common:crisis_words').split(',')[0]!;
    const out = await chat('c1', [help]);
    expect(out.map((d) => d.text)).toEqual([t('common:crisis')]);
    const items = await app.ponte.db.prisma.inboxItem.findMany({ orderBy: { createdAt: 'asc' } });
    expect(items.map((i) => [i.kind, i.urgent])).toEqual([
      ['handover', false],
      ['crisis', true],
    ]);
  });

  it('finds an FAQ answer from a question in the person’s own words', async () => {
    const question = { en: 'how much does it cost?', pt: 'quanto custa?', ar: 'كم التكلفة؟' }[lang] ?? t('faq:topic.cost');
    const out = await chat('f1', [...onboarded, '#visitor', '#faq', question]);
    expect(out.at(-1)!.text).toContain(t('faq:answer.cost'));
  });

  it('goes back one question, and shows a readable summary of what is stored', async () => {
    await chat('b1', [...onboarded, '#mentee', '#now', '#26_35', 'Amira']);
    const back = await chat('b1', ['back']);
    expect(back.at(-1)!.text).toContain(t('register:name'));
    await chat('b1', ['Amina', '#pt', '#done', 'Braga', '#woman', '#mornings', '#done', '#no', '#cet', '#any', '#yes', '#friend']);
    await chat('b1', ['#language', '#done', '#no_rush', 'Learn Portuguese', '#no', '#1', '#1', '#1', '#1']);
    // Her clock was not the programme's: she picked Central Europe.
    expect(MenteeRegistration.parse((await person('b1')).registration).timeZone).toBe('Europe/Paris');
    const summary = await chat('b1', ['menu', '#privacy']);
    expect(summary.at(-1)!.text).toContain('Amina');
    expect(summary.at(-1)!.text).toContain('Braga');
  });
});
