import type { OutboundChoice, OutboundMessage } from '../../core/events.js';
import { splitText } from '../split-text.js';

/**
 * Characters (code points) in one activity's text. Teams refuses a message over its size limit
 * with 413 `MessageSizeTooBig`; the limit is counted in UTF-16 and documented as 28 KB, 40 KB or
 * 100 KB depending on the page's age (msteams-docs `format-your-bot-messages.md`). 7,000 code
 * points are at most 28 KB in UTF-16 even if every one is an emoji, under all three figures.
 */
export const TEXT_LIMIT = 7000;
/** Buttons on a Teams hero card: "Maximum 6" (msteams-docs `cards-reference.md`). */
export const TEAMS_CARD_BUTTONS = 6;

export const HERO_CARD = 'application/vnd.microsoft.card.hero';

/** A button that sends `{ choiceId }` back in `value`, and the label as what the person said. */
export interface MessageBackAction {
  type: 'messageBack';
  title: string;
  value: { choiceId: string };
  text: string;
  displayText: string;
}

/** One outgoing activity's own fields; the client adds from, recipient and conversation. */
export interface BotMessage {
  type: 'message';
  text?: string;
  /** Our texts are plain: `•`, `*` or a lone newline must not be read as markdown. */
  textFormat?: 'plain';
  inputHint?: 'expectingInput';
  attachments?: { contentType: string; contentUrl?: string; name?: string; content?: { buttons: MessageBackAction[] } }[];
  suggestedActions?: { actions: MessageBackAction[] };
}

const plain = (text: string): BotMessage => ({ type: 'message', text, textFormat: 'plain' });

function messageBack(choice: OutboundChoice): MessageBackAction {
  // `text` comes to the bot with `value` (so the inbox shows what was pressed); `displayText`
  // is what the chat shows as the person's message (msteams-docs `cards-actions.md`).
  return { type: 'messageBack', title: choice.label, value: { choiceId: choice.id }, text: choice.label, displayText: choice.label };
}

const numbered = (text: string, choices: OutboundChoice[]) => [text, '', ...choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n');

/** A guess at the MIME type from the URL; Web Chat shows an image only when told it is one. */
function contentTypeOf(url: string, kind: 'image' | 'document' | 'audio'): string {
  const ext = /\.([a-z0-9]{2,4})(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const known: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    pdf: 'application/pdf',
    mp3: 'audio/mpeg',
    ogg: 'audio/ogg',
    m4a: 'audio/mp4',
  };
  return (ext && known[ext]) ?? (kind === 'image' ? 'image/png' : kind === 'audio' ? 'audio/mpeg' : 'application/octet-stream');
}

/**
 * The one place that knows the Bot Framework's limits: an outbound message becomes activities
 * for the conversation's channel. Choices are a hero card with messageBack buttons in Teams
 * (suggested actions there are "1:1 only, imBack only" or "not supported", depending on the
 * page: payloads.md section 3), and suggested actions elsewhere (Web Chat, the Emulator).
 * More buttons than a card takes: numbered options, answered by typing the number.
 */
export function render(message: OutboundMessage, channelId: string): BotMessage[] {
  const isTeams = channelId === 'msteams';
  switch (message.kind) {
    case 'text':
    case 'template':
      return splitText(message.text, TEXT_LIMIT).map(plain);
    case 'choices': {
      if (message.choices.length === 0) return splitText(message.text, TEXT_LIMIT).map(plain);
      if (isTeams && message.choices.length > TEAMS_CARD_BUTTONS) return splitText(numbered(message.text, message.choices), TEXT_LIMIT).map(plain);
      const pieces = splitText(message.text, TEXT_LIMIT).map(plain);
      const last = pieces.at(-1)!;
      const actions = message.choices.map(messageBack);
      last.inputHint = 'expectingInput';
      // The question stays in the activity's plain text (a card's text is formatted, and would
      // fold the notice's line breaks); the card carries only the buttons.
      if (isTeams) last.attachments = [{ contentType: HERO_CARD, content: { buttons: actions } }];
      else last.suggestedActions = { actions };
      return pieces;
    }
    case 'file':
      // Web Chat and the Emulator take a file inline; Teams needs its file-consent flow, so it
      // gets the same content as text.
      if (isTeams) return splitText(`${message.caption}\n\n${message.fallbackText}`, TEXT_LIMIT).map(plain);
      return [
        {
          type: 'message',
          text: message.caption,
          textFormat: 'plain',
          attachments: [{ contentType: message.mimeType, contentUrl: `data:${message.mimeType};base64,${message.data}`, name: message.filename }],
        },
      ];
    case 'media': {
      const captions = message.caption ? splitText(message.caption, TEXT_LIMIT) : [];
      // Teams shows images sent by URL, but a file needs its file-consent flow: send the link.
      if (isTeams && message.mediaKind !== 'image') {
        return splitText([message.caption, message.url].filter(Boolean).join('\n'), TEXT_LIMIT).map(plain);
      }
      const first: BotMessage = {
        type: 'message',
        ...(captions[0] ? { text: captions[0], textFormat: 'plain' as const } : {}),
        attachments: [{ contentType: contentTypeOf(message.url, message.mediaKind), contentUrl: message.url }],
      };
      return [first, ...captions.slice(1).map(plain)];
    }
  }
}
