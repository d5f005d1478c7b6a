import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localesDir } from '../../../src/app.js';
import { createWhatsAppSender } from '../../../src/channels/whatsapp/client.js';
import { chars, render, renderAsTemplate, templateLanguage, type WaPayload } from '../../../src/channels/whatsapp/render.js';
import { splitText as split } from '../../../src/channels/split-text.js';

const splitText = (text: string) => split(text, 4096);
import { loadConfig } from '../../../src/config.js';
import type { OutboundChoice, OutboundMessage } from '../../../src/core/events.js';
import { createTranslator } from '../../../src/core/i18n.js';
import type { Db } from '../../../src/db/client.js';
import { createLogger } from '../../../src/log.js';
import { startGraphDouble, type GraphDouble } from '../../doubles/graph-api.js';
import { PHONE_NUMBER_ID, TOKEN } from './harness.js';

const t = createTranslator(localesDir, 'en');

const english = ['Housing', 'Work', 'School', 'Papers', 'Health', 'Language', 'Money', 'Transport', 'Family', 'Leisure', 'Other'];
/** Portuguese says the same in longer words: 21–24 characters, too long for a button. */
const portuguese = [
  'Habitação e arrendamento',
  'Trabalho e contratos',
  'Escola e universidade',
  'Autorização residência',
  'Saúde e centro de saúde',
  'Aprender português já',
  'Dinheiro e segurança',
  'Transportes públicos',
  'Família e reagrupamento',
  'Tempos livres e cultura',
  'Outro assunto qualquer',
];

const choices = (labels: string[], n: number): OutboundChoice[] => labels.slice(0, n).map((label, i) => ({ id: `7.opt${i}`, label }));
const ask = (locale: string, labels: string[], n: number, text = 'What would you like to talk about?'): OutboundMessage => ({
  kind: 'choices',
  locale,
  text,
  choices: choices(labels, n),
});

function shape(p: WaPayload): string {
  return p.type === 'interactive' ? p.interactive.type : p.type;
}

describe('rendering for WhatsApp', () => {
  it.each([
    [2, ['button']],
    [3, ['button']],
    [4, ['list']],
    [10, ['list']],
    [11, ['text']],
  ])('renders %i English choices as %j', (n, shapes) => {
    const payloads = render(ask('en', english, n), t);
    expect(payloads.map(shape)).toEqual(shapes);
    const [p] = payloads;
    if (p?.type === 'interactive' && p.interactive.type === 'button') {
      expect(p.interactive.action.buttons.map((b) => b.reply)).toEqual(choices(english, n).map((c) => ({ id: c.id, title: c.label })));
    }
    if (p?.type === 'interactive' && p.interactive.type === 'list') {
      expect(p.interactive.action.button).toBe('Choose');
      expect(p.interactive.action.sections[0]!.rows).toEqual(choices(english, n).map((c) => ({ id: c.id, title: c.label })));
    }
    if (p?.type === 'text') {
      expect(p.text.body).toBe(`What would you like to talk about?\n\n${english.map((l, i) => `${i + 1}. ${l}`).join('\n')}`);
    }
  });

  it.each([
    [2, ['list']],
    [3, ['list']],
    [4, ['list']],
    [10, ['list']],
    [11, ['text']],
  ])('renders %i long Portuguese choices as %j', (n, shapes) => {
    const payloads = render(ask('pt', portuguese, n, 'Sobre o que quer falar?'), t);
    expect(payloads.map(shape)).toEqual(shapes);
    const [p] = payloads;
    if (p?.type === 'interactive' && p.interactive.type === 'list') expect(p.interactive.action.button).toBe('Escolher');
  });

  it('renders the Arabic onboarding questions as buttons, and a longer one as a list with an Arabic button', () => {
    const roles = ['mentee', 'mentor', 'visitor'].map((id) => ({ id: `3.${id}`, label: t.t('ar', `onboarding:role_choices.${id}`) }));
    const [buttons] = render({ kind: 'choices', locale: 'ar', text: t.t('ar', 'onboarding:ask_role'), choices: roles }, t);
    expect(buttons).toMatchObject({ type: 'interactive', interactive: { type: 'button', body: { text: t.t('ar', 'onboarding:ask_role') } } });
    const more = [...roles, { id: '3.other', label: 'شيء آخر' }];
    const [list] = render({ kind: 'choices', locale: 'ar', text: t.t('ar', 'onboarding:ask_role'), choices: more }, t);
    expect(list).toMatchObject({ type: 'interactive', interactive: { type: 'list', action: { button: 'اختر' } } });
  });

  it('falls back to a list when button titles repeat, and to numbered text when a label is too long for a row', () => {
    expect(render(ask('en', ['Yes', 'Yes', 'No'], 3), t).map(shape)).toEqual(['list']);
    expect(render(ask('en', ['Yes', 'x'.repeat(25)], 2), t).map(shape)).toEqual(['text']);
  });

  it('sends a question too long for the buttons’ body as text first, keeping its last paragraph with the buttons', () => {
    const long = `${'Some context about your data. '.repeat(40)}\n\nDo you agree?`;
    const payloads = render({ kind: 'choices', locale: 'en', text: long, choices: choices(['I agree', 'I do not agree'], 2) }, t);
    expect(payloads.map(shape)).toEqual(['text', 'button']);
    expect(payloads[0]).toEqual({ type: 'text', text: { body: long.slice(0, long.lastIndexOf('\n\n')).trimEnd() } });
    expect(payloads[1]).toMatchObject({ interactive: { body: { text: 'Do you agree?' } } });
    // Without a short last paragraph, the buttons get the short "Choose".
    const oneBlock = 'word '.repeat(300).trim();
    const [, buttons] = render({ kind: 'choices', locale: 'pt', text: oneBlock, choices: choices(['Sim', 'Não'], 2) }, t);
    expect(buttons).toMatchObject({ interactive: { body: { text: 'Escolher' } } });
  });

  it('splits long text at paragraph, line and word boundaries, never above 4096 characters', () => {
    const paragraph = 'Uma frase comprida sobre a habitação em Lisboa e os contratos de arrendamento. '.repeat(20).trim();
    const text = Array.from({ length: 8 }, () => paragraph).join('\n\n');
    const pieces = splitText(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(chars(piece)).toBeLessThanOrEqual(4096);
    expect(pieces.join('\n\n')).toBe(text);
    // One long line of words: cut between words, nothing lost.
    const words = 'palavra '.repeat(1200).trim();
    const cut = splitText(words);
    expect(cut.every((p) => chars(p) <= 4096 && !p.startsWith(' ') && p.endsWith('palavra'))).toBe(true);
    expect(cut.join(' ')).toBe(words);
    // Arabic counts characters, not bytes.
    expect(splitText('ب'.repeat(4096))).toHaveLength(1);
    expect(splitText('ب'.repeat(4097))).toHaveLength(2);
  });

  it('maps locales to template language codes', () => {
    expect(['pt', 'pt-BR', 'pt_br', 'en', 'ar', 'en-GB', 'fa'].map(templateLanguage)).toEqual(['pt_PT', 'pt_BR', 'pt_BR', 'en', 'ar', 'en_GB', 'fa']);
    expect(render({ kind: 'template', locale: 'pt', name: 'session_reminder', params: ['Ana'], text: 'x' }, t)).toEqual([
      { type: 'template', template: { name: 'session_reminder', language: { code: 'pt_PT' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] } },
    ]);
  });

  it('turns any message into the generic template, flattened and shortened for its parameter', () => {
    const p = renderAsTemplate({ ...ask('ar', english, 11, 'سؤال\n\nما الموضوع؟'), locale: 'ar' });
    expect(p).toMatchObject({ type: 'template', template: { name: 'ponte_update', language: { code: 'ar' } } });
    const param = p.type === 'template' ? p.template.components[0]!.parameters[0]!.text : '';
    expect(param).not.toMatch(/[\n\t]| {5,}/);
    expect(param).toContain('11. Other');
    const long = renderAsTemplate({ kind: 'text', locale: 'en', text: 'x '.repeat(3000) });
    expect(long.type === 'template' && chars(long.template.components[0]!.parameters[0]!.text)).toBeLessThanOrEqual(900);
  });
});

describe('the Graph API double', () => {
  let double: GraphDouble;
  beforeAll(async () => {
    double = await startGraphDouble({ token: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  });
  afterAll(() => double.close());

  const send = (body: object, token = TOKEN) =>
    fetch(`${double.url}/v23.0/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: '351912345678', ...body }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: number }; messages?: { id: string }[] } }));
  const buttons = (titles: string[], body = 'Ready?') => ({
    type: 'interactive',
    interactive: { type: 'button', body: { text: body }, action: { buttons: titles.map((title, i) => ({ type: 'reply', reply: { id: `b${i}`, title } })) } },
  });

  it('refuses what the real API refuses, with its error codes', async () => {
    const cases: [object, number][] = [
      [{ type: 'text', text: { body: 'x'.repeat(4097) } }, 100],
      [{ type: 'text', text: { body: '' } }, 100],
      [buttons(['a', 'b', 'c', 'd']), 131009],
      [buttons(['x'.repeat(21)]), 131009],
      [buttons(['Same', 'Same']), 131009],
      [buttons(['ok'], 'x'.repeat(1025)), 131009],
      [{ type: 'interactive', interactive: { type: 'list', body: { text: 'Pick' }, action: { button: 'Choose', sections: [{ rows: english.map((title, i) => ({ id: `r${i}`, title })) }] } } }, 131009],
      [{ type: 'interactive', interactive: { type: 'list', body: { text: 'Pick' }, action: { button: 'Choose', sections: [{ rows: [{ id: 'r', title: 'x'.repeat(25) }] }] } } }, 131009],
      [{ type: 'interactive', interactive: { type: 'list', body: { text: 'Pick' }, action: { button: 'x'.repeat(21), sections: [{ rows: [{ id: 'r', title: 'ok' }] }] } } }, 131009],
      [{ type: 'template', template: { name: 'ponte_update', language: {} } }, 100],
      [{ type: 'template', template: { name: 'ponte_update', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'a\nb' }] }] } }, 132018],
      [{ type: 'poll', poll: {} }, 131051],
    ];
    for (const [body, code] of cases) {
      const res = await send(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error?.code, JSON.stringify(body).slice(0, 80)).toBe(code);
    }
    expect((await send({ type: 'text', text: { body: 'hi' } }, 'wrong')).status).toBe(401);
    expect(double.accepted).toHaveLength(0);
  });

  it('accepts every rendered choice message, in English, Portuguese and Arabic', async () => {
    const sender = createWhatsAppSender({
      config: loadConfig({ WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID, WHATSAPP_APP_SECRET: 's', WHATSAPP_API_URL: double.url }).whatsapp!,
      db: {} as Db,
      translator: t,
      log: createLogger('silent'),
    });
    const open = { lastInboundAt: Date.now() };
    const messages: OutboundMessage[] = [];
    for (const n of [2, 3, 4, 10, 11]) {
      messages.push(ask('en', english, n), ask('pt', portuguese, n, 'Sobre o que quer falar?'));
      messages.push(ask('ar', english.map((l) => `${l} عربي`), n, 'ما الموضوع الذي تريد التحدث عنه؟'));
    }
    messages.push({ kind: 'text', locale: 'pt', text: 'Olá. '.repeat(2000) });
    messages.push({ kind: 'choices', locale: 'en', text: `${'Long context. '.repeat(100)}\n\nDo you agree?`, choices: choices(['Yes', 'No'], 2) });
    messages.push({ kind: 'media', locale: 'en', mediaKind: 'image', url: 'https://example.org/a.jpg', caption: 'A map' });
    messages.push({ kind: 'media', locale: 'en', mediaKind: 'audio', url: 'https://example.org/a.ogg', caption: 'Listen' });
    const before = double.accepted.length;
    let expected = 0;
    for (const m of messages) {
      expected += render(m, t).length;
      const { platformMessageId } = await sender.send('351912345678', m, open);
      expect(platformMessageId).toBe(double.accepted.at(-1)!.id);
    }
    expect(double.accepted.length - before).toBe(expected);
    // Outside the window, each goes as the one template, which the double accepts too.
    for (const m of messages) await sender.send('351912345678', m, { lastInboundAt: Date.now() - 25 * 3600_000 });
    expect(double.accepted.slice(-messages.length).every((a) => a.type === 'template')).toBe(true);
  });
});
