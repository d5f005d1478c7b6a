import { describe, expect, it } from 'vitest';
import { localesDir } from '../../src/app.js';
import { render as renderBotFramework } from '../../src/channels/botframework/render.js';
import { render as renderTelegram } from '../../src/channels/telegram/render.js';
import { render as renderWhatsApp } from '../../src/channels/whatsapp/render.js';
import type { OutboundMessage } from '../../src/core/events.js';
import { createTranslator } from '../../src/core/i18n.js';

const t = createTranslator(localesDir, 'en');
const topics = ['what', 'roles', 'steps', 'how_long', 'meetings', 'where', 'mentor_role', 'cost', 'confidential', 'matching', 'report', 'leave'];

/** A question with the first `n` real FAQ topics as options, in `lng`: real labels, real lengths. */
function question(n: number, lng: string): OutboundMessage {
  return {
    kind: 'choices',
    locale: lng,
    text: t.t(lng, 'faq:topics'),
    choices: topics.slice(0, n).map((id) => ({ id: `17.${id}`, label: t.t(lng, `faq:topic.${id}`) })),
  };
}

const chars = (s: string) => [...s].length;

describe.each(['en', 'pt', 'ar'])('choices rendered for every channel in %s', (lng) => {
  it.each([2, 3, 4, 10, 11])('%i options stay within each platform’s limits and keep every option', (n) => {
    const msg = question(n, lng);

    const telegram = renderTelegram(msg);
    const keyboard = telegram.flatMap((c) => (c.method === 'sendMessage' && c.params.reply_markup ? c.params.reply_markup.inline_keyboard.flat() : []));
    expect(keyboard).toHaveLength(n);
    for (const b of keyboard) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);

    const whatsapp = renderWhatsApp(msg, t);
    const last = whatsapp.at(-1)!;
    if (n <= 3 && msg.kind === 'choices' && msg.choices.every((c) => chars(c.label) <= 20)) {
      expect(last.type === 'interactive' && last.interactive.type).toBe('button');
    } else if (n <= 10) {
      expect(last.type === 'interactive' && last.interactive.type).toBe('list');
      const rows = last.type === 'interactive' && last.interactive.type === 'list' ? last.interactive.action.sections.flatMap((s) => s.rows) : [];
      expect(rows).toHaveLength(n);
      for (const row of rows) expect(chars(row.title)).toBeLessThanOrEqual(24);
    } else {
      // Beyond ten: numbered text, answered by the number.
      expect(whatsapp.every((p) => p.type === 'text')).toBe(true);
      expect(whatsapp.map((p) => (p.type === 'text' ? p.text.body : '')).join('\n')).toContain(`${n}. `);
    }

    const teams = renderBotFramework(msg, 'msteams');
    const cardButtons = teams.flatMap((a) => a.attachments?.flatMap((x) => x.content?.buttons ?? []) ?? []);
    if (n <= 6) expect(cardButtons).toHaveLength(n);
    else expect(teams.map((a) => a.text ?? '').join('\n')).toContain(`${n}. `);
    const webchat = renderBotFramework(msg, 'webchat');
    expect(webchat.flatMap((a) => a.suggestedActions?.actions ?? [])).toHaveLength(n);
  });
});
