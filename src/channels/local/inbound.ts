import { randomUUID } from 'node:crypto';
import type { InboundEvent } from '../../core/events.js';

/** The local channel's name: a terminal chat (`npm run chat`) or a test, no platform behind it. */
export const LOCAL_CHANNEL = 'local';

/**
 * Turns a line typed in the terminal into an inbound event: `/name payload` is a command,
 * anything else is text (choices are answered by their number, which the engine reads).
 */
export function toInboundEvent(identity: string, line: string, localeHint?: string): InboundEvent {
  const command = /^\/([a-z_]{1,32})(?:\s+(\S{1,64}))?\s*$/i.exec(line.trim());
  return {
    channel: LOCAL_CHANNEL,
    externalId: randomUUID(),
    address: identity,
    receivedAt: Date.now(),
    ...(localeHint ? { localeHint } : {}),
    content: command ? { kind: 'command', name: command[1]!.toLowerCase(), ...(command[2] ? { payload: command[2] } : {}) } : { kind: 'text', text: line },
  };
}
