import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcceptedMessage } from '../../doubles/graph-api.js';
import { sqliteDatabase, type TestDatabase } from '../../helpers/databases.js';
import { optionsOf, pressFrom, startWhatsAppPonte, textFrom, wordsOf, type WhatsAppPonte } from './harness.js';

const PT = '351912345678';

describe('the first conversation on WhatsApp', () => {
  let database: TestDatabase;
  let wa: WhatsAppPonte;

  beforeEach(async () => {
    database = sqliteDatabase();
    wa = await startWhatsAppPonte(database.url);
  });
  afterEach(async () => {
    await wa.stop().catch(() => undefined);
    await database.drop();
  });

  /** Presses the option titled `title` of the last interactive message, as the person's phone does. */
  function press(message: AcceptedMessage | undefined, title: string) {
    const option = optionsOf(message!).find(([, t]) => t === title);
    expect(option, `an option titled ${title}`).toBeDefined();
    const kind = (message!.body.interactive as { type: string }).type === 'list' ? 'list_reply' : 'button_reply';
    return wa.exchange(PT, pressFrom(PT, option![0], option![1], kind));
  }

  it('goes welcome → language → consent → role → menu through webhooks, with buttons and lists', async () => {
    const t = (locale: string, key: string, vars?: Record<string, string>) => wa.ponte.translator.t(locale, key, vars);

    // A Portuguese number: the welcome guesses Portuguese and offers another language.
    const [welcome] = await wa.exchange(PT, textFrom(PT, 'Olá'));
    expect(welcome).toMatchObject({ type: 'interactive', body: { interactive: { type: 'button' } } });
    expect(wordsOf(welcome!)).toBe(t('pt', 'onboarding:welcome', { languageName: 'Português' }));

    // The picker's first page fits a list: the person's language, the most spoken ones, "other languages".
    const [languages] = await press(welcome, t('pt', 'onboarding:welcome_choices.other'));
    expect(wordsOf(languages!)).toBe(t('pt', 'common:language.pick'));
    expect(languages!.body).toMatchObject({ type: 'interactive', interactive: { type: 'list' } });
    expect(optionsOf(languages!).map(([, title]) => title)).toEqual(expect.arrayContaining(['English', 'Português', 'العربية', t('pt', 'common:language.more')]));

    // Arabic from now on: the privacy notice, then consent.
    const [privacy] = await press(languages, 'العربية');
    expect(wordsOf(privacy!)).toBe(t('ar', 'onboarding:privacy'));
    const afterConsent = await press(privacy, t('ar', 'onboarding:privacy_choices.agree'));
    expect(afterConsent.map(wordsOf)).toEqual([t('ar', 'onboarding:consent_given'), t('ar', 'onboarding:ask_role')]);

    // "I have a question" leads straight to the menu (the other roles first offer to sign up).
    const afterRole = await press(afterConsent[1], t('ar', 'onboarding:role_choices.visitor'));
    const menu = afterRole.at(-1)!;
    expect(wordsOf(menu)).toBe(t('ar', 'menu:main'));
    // More than three entries: a list, with the Arabic "Choose" on its button.
    expect(optionsOf(menu).length).toBeGreaterThan(3);
    expect(menu.body).toMatchObject({ type: 'interactive', interactive: { type: 'list', action: { button: 'اختر' } } });

    const person = await wa.ponte.db.prisma.person.findFirstOrThrow({ where: { address: PT }, include: { conversation: true } });
    expect(person).toMatchObject({ locale: 'ar', consent: 'granted', role: 'visitor' });
    expect(person.conversation).toMatchObject({ flowId: 'menu', stepId: 'main' });
    expect(wa.double.refused).toEqual([]);
    // Every reply was recorded with its wamid, for the status callbacks.
    const rows = await wa.ponte.db.prisma.outboxMessage.findMany();
    expect(rows.every((r) => r.status === 'sent' && r.platformMessageId?.startsWith('wamid.'))).toBe(true);
  });

  it('answers a typed number the same as a pressed button', async () => {
    await wa.exchange(PT, textFrom(PT, 'Olá'));
    const [privacy] = await wa.exchange(PT, textFrom(PT, '1'));
    expect(wordsOf(privacy!)).toBe(wa.ponte.translator.t('pt', 'onboarding:privacy'));
  });
});
