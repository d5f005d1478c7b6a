import type { OutboundMessage } from '../../core/events.js';

/** A terminal has no buttons: choices become numbered lines, answered by typing the number. */
export function render(message: OutboundMessage): string {
  switch (message.kind) {
    case 'text':
    case 'template':
      return message.text;
    case 'choices':
      return [message.text, ...message.choices.map((c, i) => `  ${i + 1}. ${c.label}`)].join('\n');
    case 'media':
      return [message.caption, `[${message.mediaKind}] ${message.url}`].filter(Boolean).join('\n');
    case 'file':
      return `${message.caption}\n[${message.filename}]\n${Buffer.from(message.data, 'base64').toString('utf8')}`;
  }
}
