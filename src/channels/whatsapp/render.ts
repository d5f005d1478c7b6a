import type { OutboundChoice, OutboundMessage } from '../../core/events.js';
import type { Translator } from '../../core/i18n.js';
import { splitText } from '../split-text.js';

/**
 * WhatsApp's limits (platform-limits.md; Meta's "Interactive reply buttons" and "Interactive
 * list" message pages). This module is the one place that knows them.
 */
export const LIMITS = {
  text: 4096,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  buttonBody: 1024,
  listRows: 10,
  listButton: 20,
  rowTitle: 24,
  rowId: 200,
  listBody: 4096,
  caption: 1024,
  /** A template's body is at most 1024 characters with its fixed words; keep room for them. */
  templateParam: 900,
} as const;

/** The generic template sent outside the 24-hour window; its one body parameter is our text. */
export const WINDOW_TEMPLATE = 'ponte_update';

/** The type-specific part of a Graph API message body; the client adds `messaging_product` and `to`. */
export type WaPayload =
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  | {
      type: 'interactive';
      interactive:
        | { type: 'button'; body: { text: string }; action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] } }
        | { type: 'list'; body: { text: string }; action: { button: string; sections: { rows: { id: string; title: string }[] }[] } };
    }
  | {
      type: 'template';
      template: { name: string; language: { code: string }; components: { type: 'body'; parameters: { type: 'text'; text: string }[] }[] };
    }
  | { type: 'image'; image: { link: string; caption?: string } }
  | { type: 'document'; document: { link: string; caption?: string } | { id: string; filename: string; caption?: string } }
  | { type: 'audio'; audio: { link: string } };

/** Length as WhatsApp counts it: characters, so an emoji or an Arabic letter is one. */
export const chars = (s: string): number => [...s].length;

/**
 * Meta's template language codes for our locales: most are the bare language, some exist only
 * with a region (Portuguese is `pt_PT` or `pt_BR`; there is no bare `pt`).
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/supported-languages
 */
const regionOnly: Record<string, string> = { pt: 'pt_PT', zh: 'zh_CN' };

/** The template language code for a Ponte locale: `pt` → `pt_PT`, `pt-BR` → `pt_BR`, `en` → `en`, `ar` → `ar`. */
export function templateLanguage(locale: string): string {
  const [language = 'en', region] = locale.replace(/_/g, '-').split('-');
  const lang = language.toLowerCase();
  if (region && /^[a-z]{2}$/i.test(region)) return `${lang}_${region.toUpperCase()}`;
  return regionOnly[lang] ?? lang;
}

const text = (body: string): WaPayload[] => splitText(body, LIMITS.text).filter(Boolean).map((b) => ({ type: 'text', text: { body: b } }));

function cut(s: string, max: number): string {
  return chars(s) <= max ? s : `${[...s].slice(0, max - 1).join('')}…`;
}

/**
 * Splits a question too long for an interactive body: the earlier paragraphs go as text, the
 * last paragraph (the question itself, usually) stays with the buttons. With no short enough
 * last paragraph, the buttons get the short "Choose".
 */
function bodyAndLead(question: string, max: number, choose: string): { lead: string; body: string } {
  if (question.trim() === '') return { lead: '', body: choose };
  if (chars(question) <= max) return { lead: '', body: question };
  const at = question.trimEnd().lastIndexOf('\n\n');
  const tail = at > 0 ? question.slice(at).trim() : '';
  if (tail && chars(tail) <= max) return { lead: question.slice(0, at), body: tail };
  return { lead: question, body: choose };
}

function isUnique(values: string[]): boolean {
  return new Set(values).size === values.length;
}

function fitsButtons(choices: OutboundChoice[]): boolean {
  return (
    choices.length >= 1 &&
    choices.length <= LIMITS.buttons &&
    choices.every((c) => chars(c.label) >= 1 && chars(c.label) <= LIMITS.buttonTitle && chars(c.id) <= LIMITS.buttonId) &&
    isUnique(choices.map((c) => c.label)) &&
    isUnique(choices.map((c) => c.id))
  );
}

function fitsList(choices: OutboundChoice[]): boolean {
  return (
    choices.length >= 1 &&
    choices.length <= LIMITS.listRows &&
    choices.every((c) => chars(c.label) >= 1 && chars(c.label) <= LIMITS.rowTitle && chars(c.id) >= 1 && chars(c.id) <= LIMITS.rowId) &&
    isUnique(choices.map((c) => c.id))
  );
}

/** Options that fit no interactive message: numbered lines, answered by typing the number. */
function numbered(question: string, choices: OutboundChoice[]): string {
  const lines = choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
  return question.trim() ? `${question}\n\n${lines}` : lines;
}

function renderChoices(msg: Extract<OutboundMessage, { kind: 'choices' }>, choose: string): WaPayload[] {
  const { choices } = msg;
  if (fitsButtons(choices)) {
    const { lead, body } = bodyAndLead(msg.text, LIMITS.buttonBody, choose);
    const buttons = choices.map((c) => ({ type: 'reply' as const, reply: { id: c.id, title: c.label } }));
    return [...(lead ? text(lead) : []), { type: 'interactive', interactive: { type: 'button', body: { text: body }, action: { buttons } } }];
  }
  if (fitsList(choices)) {
    const { lead, body } = bodyAndLead(msg.text, LIMITS.listBody, choose);
    const rows = choices.map((c) => ({ id: c.id, title: c.label }));
    const button = cut(choose, LIMITS.listButton);
    return [...(lead ? text(lead) : []), { type: 'interactive', interactive: { type: 'list', body: { text: body }, action: { button, sections: [{ rows }] } } }];
  }
  return text(numbered(msg.text, choices));
}

/**
 * A template parameter may hold no line breaks, tabs or more than four spaces in a row (Meta
 * error 132018), and the template body has a length limit: flatten and shorten the text.
 */
export function templateParam(value: string): string {
  const flat = value
    .replace(/\s*\n\s*\n\s*/g, ' · ')
    .replace(/[\t\n\r]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cut(flat || '…', LIMITS.templateParam);
}

function template(name: string, locale: string, params: string[]): WaPayload {
  return {
    type: 'template',
    template: {
      name,
      language: { code: templateLanguage(locale) },
      components: params.length ? [{ type: 'body', parameters: params.map((p) => ({ type: 'text', text: templateParam(p) })) }] : [],
    },
  };
}

/**
 * The whole message as the generic template, for a person outside the 24-hour window: the
 * only kind of message WhatsApp lets us start a conversation with. Options become numbered
 * text, so that the reply (a number) still answers the question.
 */
export function renderAsTemplate(msg: OutboundMessage): WaPayload {
  switch (msg.kind) {
    case 'template':
      return template(msg.name, msg.locale, msg.params);
    case 'choices':
      return template(WINDOW_TEMPLATE, msg.locale, [numbered(msg.text, msg.choices)]);
    case 'media':
      return template(WINDOW_TEMPLATE, msg.locale, [[msg.caption, msg.url].filter(Boolean).join(' ')]);
    case 'text':
      return template(WINDOW_TEMPLATE, msg.locale, [msg.text]);
    case 'file':
      return template(WINDOW_TEMPLATE, msg.locale, [msg.fallbackText]);
  }
}

/**
 * Reshapes an outbound message to WhatsApp's limits: up to 3 short options as reply buttons, up
 * to 10 as a list, more (or longer labels) as numbered text; long text split at 4096. Never
 * returns a body the API would reject.
 */
export function render(msg: OutboundMessage, translator: Translator): WaPayload[] {
  switch (msg.kind) {
    case 'text':
      return text(msg.text);
    case 'choices':
      return renderChoices(msg, translator.t(msg.locale, 'common:choose'));
    case 'template':
      return [template(msg.name, msg.locale, msg.params)];
    case 'media': {
      // Audio takes no caption; a caption over the limit goes as text after the file.
      const caption = msg.caption && msg.mediaKind !== 'audio' && chars(msg.caption) <= LIMITS.caption ? msg.caption : undefined;
      const file: WaPayload =
        msg.mediaKind === 'audio'
          ? { type: 'audio', audio: { link: msg.url } }
          : msg.mediaKind === 'image'
            ? { type: 'image', image: { link: msg.url, ...(caption ? { caption } : {}) } }
            : { type: 'document', document: { link: msg.url, ...(caption ? { caption } : {}) } };
      return [file, ...(msg.caption && !caption ? text(msg.caption) : [])];
    }
    case 'file':
      // The file itself is uploaded first (client.ts); this is what a reader gets without it.
      return text(`${msg.caption}\n\n${msg.fallbackText}`);
  }
}

/** A document already uploaded to WhatsApp's media store, by its media id. */
export function uploadedDocument(mediaId: string, msg: Extract<OutboundMessage, { kind: 'file' }>): WaPayload {
  return { type: 'document', document: { id: mediaId, filename: msg.filename, caption: msg.caption.slice(0, LIMITS.caption) } };
}
