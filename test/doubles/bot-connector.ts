import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One activity the double accepted. */
export interface ReceivedActivity {
  conversationId: string;
  replyToId?: string;
  id: string;
  activity: Record<string, unknown> & {
    type?: string;
    text?: string;
    attachments?: { contentType: string; contentUrl?: string; content?: { buttons?: { type: string; title: string; value: unknown; text?: string; displayText?: string }[] } }[];
    suggestedActions?: { actions: { type: string; title: string; value: unknown; text?: string; displayText?: string }[] };
  };
  authorization: string | undefined;
}

/**
 * A local double of the Bot Connector service (bot-docs `bot-framework-rest-connector-api-reference.md`):
 * `POST /v3/conversations/{id}/activities[/{replyToId}]`. It refuses what the real one refuses:
 * an activity without `type`, a message with nothing to show (400 `BadArgument`), a message over
 * the Teams size limit (413 `MessageSizeTooBig`), a hero card with more than 6 buttons, and more
 * than 7 sends per second to one conversation (429, msteams-docs `rate-limit.md`). Errors are
 * `ErrorResponse` bodies; a 429 carries no body or `Retry-After` unless a test asks, since none
 * is documented.
 */
export interface BotConnectorDouble {
  /** The base URL, to use as an activity's `serviceUrl`. */
  url: string;
  /** Accepted activities, in order. */
  received: ReceivedActivity[];
  /** Every call, accepted or not. */
  calls: { conversationId: string; status: number }[];
  /** Refuse the next `n` sends with 429 (and `Retry-After: retryAfterSec` when given). */
  throttleNext(n: number, retryAfterSec?: number): void;
  /** Answer the next `n` sends with this status and an `ErrorResponse`. */
  failNext(n: number, status: number, code?: string): void;
  /** The accepted activities of one conversation. */
  to(conversationId: string): ReceivedActivity[];
  close(): Promise<void>;
}

/** Teams refuses messages over this many bytes of UTF-16 (msteams-docs `format-your-bot-messages.md`, 40 KB version). */
const SIZE_LIMIT = 40 * 1024;
/** Sends to one conversation per second before 429 (msteams-docs `rate-limit.md`: 7 per 1 s). */
const PER_CONVERSATION_PER_SECOND = 7;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => resolve(raw));
  });
}

export async function startBotConnectorDouble(options: { perConversationPerSecond?: number } = {}): Promise<BotConnectorDouble> {
  const perConversation = options.perConversationPerSecond ?? PER_CONVERSATION_PER_SECOND;
  const received: ReceivedActivity[] = [];
  const calls: BotConnectorDouble['calls'] = [];
  const recent = new Map<string, number[]>();
  let throttle: { n: number; retryAfterSec: number | undefined } = { n: 0, retryAfterSec: undefined };
  let failure = { n: 0, status: 500, code: 'ServiceError' };
  let nextId = 1;

  const error = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } as unknown });

  function handle(conversationId: string, replyToId: string | undefined, raw: string, authorization: string | undefined) {
    let activity: ReceivedActivity['activity'];
    try {
      activity = JSON.parse(raw) as ReceivedActivity['activity'];
    } catch {
      return error(400, 'BadSyntax', 'Invalid JSON');
    }
    if (typeof activity !== 'object' || activity === null || typeof activity.type !== 'string' || !activity.type) {
      return error(400, 'MissingProperty', 'Activity type is required');
    }
    const conversation = activity.conversation as { id?: unknown } | undefined;
    if (conversation?.id !== undefined && conversation.id !== conversationId) return error(400, 'BadArgument', 'Conversation id does not match the path');
    if (activity.type === 'message') {
      const hasText = typeof activity.text === 'string' && activity.text.length > 0;
      const hasAttachments = Array.isArray(activity.attachments) && activity.attachments.length > 0;
      const hasActions = Array.isArray(activity.suggestedActions?.actions) && activity.suggestedActions.actions.length > 0;
      if (!hasText && !hasAttachments && !hasActions) return error(400, 'BadArgument', 'Message has no text, attachments or suggested actions');
      if (raw.length * 2 > SIZE_LIMIT) return error(413, 'MessageSizeTooBig', 'Message size too big');
      for (const a of activity.attachments ?? []) {
        if (a.contentType === 'application/vnd.microsoft.card.hero' && (a.content?.buttons?.length ?? 0) > 6) return error(400, 'BadArgument', 'Too many buttons');
        if (!a.contentUrl && a.content === undefined) return error(400, 'BadArgument', 'Attachment has neither contentUrl nor content');
      }
    }
    if (failure.n > 0) {
      failure.n -= 1;
      return error(failure.status, failure.code, 'Scripted failure');
    }
    if (throttle.n > 0) {
      throttle.n -= 1;
      return { status: 429, body: undefined, retryAfterSec: throttle.retryAfterSec };
    }
    const now = Date.now();
    const times = (recent.get(conversationId) ?? []).filter((t) => now - t < 1000);
    if (times.length >= perConversation) return { status: 429, body: undefined };
    times.push(now);
    recent.set(conversationId, times);
    const id = `act-${nextId++}`;
    received.push({ conversationId, ...(replyToId ? { replyToId } : {}), id, activity, authorization });
    return { status: 200, body: { id } as unknown };
  }

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    // A serviceUrl may carry a path (Teams: `https://smba.trafficmanager.net/amer/`).
    const match = /^(?:\/[^/]+)*?\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/.exec((req.url ?? '').split('?')[0]!);
    let answer: { status: number; body: unknown; retryAfterSec?: number | undefined };
    let conversationId = '?';
    if (req.method !== 'POST' || !match) {
      answer = error(404, 'NotFound', 'Not found');
    } else {
      conversationId = decodeURIComponent(match[1]!);
      answer = handle(conversationId, match[2] ? decodeURIComponent(match[2]) : undefined, raw, req.headers.authorization);
    }
    calls.push({ conversationId, status: answer.status });
    const headers: Record<string, string> = answer.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' };
    if (answer.retryAfterSec !== undefined) headers['retry-after'] = String(answer.retryAfterSec);
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    calls,
    throttleNext(n, retryAfterSec) {
      throttle = { n, retryAfterSec };
    },
    failNext(n, status, code = status >= 500 ? 'ServiceError' : 'BadArgument') {
      failure = { n, status, code };
    },
    to: (conversationId) => received.filter((r) => r.conversationId === conversationId),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
