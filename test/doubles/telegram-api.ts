import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local double of the Telegram Bot API (`/bot<token>/<method>`), refusing what the real one
 * refuses: a wrong token (401), text outside 1–4096 characters, callback data over 64 bytes,
 * captions over 1024, too many messages to one chat in a second (429 with retry_after), chats
 * that blocked the bot (403), unknown chats (400). Bodies as in grammyjs/types `ApiError`.
 * Files people sent are served as the real API does: `getFile` gives a `file_path` (400
 * "invalid file_id" for an id it does not know, "file is too big" over 20 MB), and the bytes
 * come from `/file/bot<token>/<file_path>` for an hour.
 */
export interface TelegramDouble {
  url: string;
  token: string;
  /** Accepted sends, in order. */
  sent: { method: string; chatId: string; text?: string; keyboard?: { text: string; callback_data: string }[][]; messageId: number; filename?: string }[];
  /** Every call, accepted or not. */
  calls: { method: string; body: Record<string, unknown>; status: number }[];
  blocked: Set<string>;
  /** Refuse the next `n` sends with 429 and this retry_after. */
  throttleNext(n: number, retryAfter: number): void;
  /** Updates served to getUpdates (long polling). */
  queueUpdate(update: Record<string, unknown>): void;
  /** Keeps a file as if a person had sent it; `folder` as Telegram names them (photos, voice, documents). Returns its file_id. */
  addFile(data: Buffer, folder: string, extension: string): string;
  /** Paths of the file downloads answered 200, in order. */
  downloads: string[];
  /** Drop the connection of the next `n` file downloads without an answer. */
  dropDownloads(n: number): void;
  close(): Promise<void>;
}

/** Bots may download files of up to 20 MB (Bot API, getFile). */
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
/** A file link is valid for at least an hour (Bot API, getFile). */
const LINK_TTL_MS = 3600_000;

/**
 * A request's parameters: JSON, or multipart/form-data when a file is uploaded (its text fields,
 * and for a file part `<name>_filename` and `<name>_bytes`).
 */
function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] ?? '');
      if (boundary) {
        // grammY's layout: a field `document: "attach://<id>"` and a part named <id> with the file.
        const fields: Record<string, unknown> = {};
        const files = new Map<string, { filename: string; bytes: number }>();
        for (const part of raw.split(`--${boundary[1] ?? boundary[2]}`)) {
          const head = /name="([^"]+)"(?:;\s*filename="?([^"\r\n;]*)"?)?[\s\S]*?\r\n\r\n([\s\S]*?)(?:\r\n)?$/.exec(part);
          if (!head) continue;
          if (head[2] !== undefined) files.set(head[1]!, { filename: head[2], bytes: head[3]!.length });
          else fields[head[1]!] = Buffer.from(head[3]!, 'latin1').toString('utf8');
        }
        for (const [key, value] of Object.entries(fields)) {
          const file = typeof value === 'string' && value.startsWith('attach://') ? files.get(value.slice('attach://'.length)) : undefined;
          if (file) Object.assign(fields, { [`${key}_filename`]: file.filename, [`${key}_bytes`]: file.bytes });
        }
        return resolve(fields);
      }
      try {
        resolve(raw ? (JSON.parse(Buffer.from(raw, 'latin1').toString('utf8')) as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
  });
}

export async function startTelegramDouble(options: { token?: string; perChatPerSecond?: number; keepAliveMs?: number } = {}): Promise<TelegramDouble> {
  const token = options.token ?? '123456:TEST-token_abc';
  const perChat = options.perChatPerSecond ?? 5;
  const sent: TelegramDouble['sent'] = [];
  const calls: TelegramDouble['calls'] = [];
  const blocked = new Set<string>();
  const recent = new Map<string, number[]>();
  const updates: Record<string, unknown>[] = [];
  let throttle = { n: 0, retryAfter: 1 };
  let messageId = 100;
  const files = new Map<string, { data: Buffer; path: string; unique: string }>();
  /** Paths handed out by getFile, and until when they can be downloaded. */
  const links = new Map<string, { data: Buffer; until: number }>();
  const downloads: string[] = [];
  let drop = 0;

  const error = (code: number, description: string, parameters?: Record<string, unknown>) => ({
    status: code,
    body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
  });

  function handle(method: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const chatId = body.chat_id === undefined ? undefined : String(body.chat_id);
    const isSend = ['sendMessage', 'sendPhoto', 'sendDocument', 'sendAudio'].includes(method);
    if (isSend) {
      if (!chatId) return error(400, 'Bad Request: chat_id is empty');
      if (chatId.startsWith('-404')) return error(400, 'Bad Request: chat not found');
      if (blocked.has(chatId)) return error(403, 'Forbidden: bot was blocked by the user');
      if (throttle.n > 0) {
        throttle.n -= 1;
        return error(429, `Too Many Requests: retry after ${throttle.retryAfter}`, { retry_after: throttle.retryAfter });
      }
      const now = Date.now();
      const times = (recent.get(chatId) ?? []).filter((t) => now - t < 1000);
      if (times.length >= perChat) return error(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      times.push(now);
      recent.set(chatId, times);
    }
    switch (method) {
      case 'getMe':
        return { status: 200, body: { ok: true, result: { id: 999, is_bot: true, first_name: 'Ponte', username: 'ponte_test_bot' } } };
      case 'sendMessage': {
        const text = typeof body.text === 'string' ? body.text : '';
        if ([...text].length < 1 || [...text].length > 4096) return error(400, 'Bad Request: message text is empty or too long');
        const markup = body.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
        for (const row of markup?.inline_keyboard ?? []) {
          for (const b of row) {
            const bytes = Buffer.byteLength(b.callback_data ?? '', 'utf8');
            if (bytes < 1 || bytes > 64) return error(400, 'Bad Request: BUTTON_DATA_INVALID');
            if (!b.text) return error(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
          }
        }
        messageId += 1;
        sent.push({ method, chatId: chatId!, text, ...(markup?.inline_keyboard ? { keyboard: markup.inline_keyboard } : {}), messageId });
        return { status: 200, body: { ok: true, result: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(chatId), type: 'private' }, text } } };
      }
      case 'sendPhoto':
      case 'sendDocument':
      case 'sendAudio': {
        if (typeof body.caption === 'string' && [...body.caption].length > 1024) return error(400, 'Bad Request: message caption is too long');
        messageId += 1;
        sent.push({ method, chatId: chatId!, messageId, ...(typeof body.document_filename === 'string' ? { filename: body.document_filename } : {}) });
        return { status: 200, body: { ok: true, result: { message_id: messageId, date: 0, chat: { id: Number(chatId), type: 'private' } } } };
      }
      case 'setWebhook':
        if (typeof body.secret_token === 'string' && !/^[A-Za-z0-9_-]{1,256}$/.test(body.secret_token)) return error(400, 'Bad Request: secret token contains unallowed characters');
        if (typeof body.url !== 'string' || !body.url.startsWith('https://')) return error(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        return { status: 200, body: { ok: true, result: true, description: 'Webhook was set' } };
      case 'deleteWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
      case 'editMessageReplyMarkup':
        return { status: 200, body: { ok: true, result: true } };
      case 'getFile': {
        const file = typeof body.file_id === 'string' ? files.get(body.file_id) : undefined;
        if (!file) return error(400, 'Bad Request: invalid file_id');
        if (file.data.length > DOWNLOAD_LIMIT) return error(400, 'Bad Request: file is too big');
        links.set(file.path, { data: file.data, until: Date.now() + LINK_TTL_MS });
        return { status: 200, body: { ok: true, result: { file_id: body.file_id, file_unique_id: file.unique, file_size: file.data.length, file_path: file.path } } };
      }
      case 'getUpdates': {
        const offset = typeof body.offset === 'number' ? body.offset : 0;
        const pending = updates.filter((u) => (u.update_id as number) >= offset);
        return { status: 200, body: { ok: true, result: pending } };
      }
      default:
        return error(404, 'Not Found: method not found');
    }
  }

  /** `GET /file/bot<token>/<file_path>`: the bytes, or Telegram's JSON error. */
  function download(url: string, res: ServerResponse): void {
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec(url)!;
    const link = links.get(decodeURIComponent(match[2]!));
    let answer: { status: number; body: unknown } | undefined;
    if (match[1] !== token) answer = error(401, 'Unauthorized');
    else if (!link || link.until < Date.now()) answer = error(404, 'Not Found');
    calls.push({ method: 'file', body: {}, status: answer?.status ?? 200 });
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    downloads.push(decodeURIComponent(match[2]!));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(link!.data.length) });
    res.end(link!.data);
  }

  const server: Server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/file/bot')) {
      if (drop > 0) {
        drop -= 1;
        req.socket.destroy();
        return;
      }
      return download(req.url, res);
    }
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const body = await readBody(req);
    let answer: { status: number; body: unknown };
    if (!match) answer = error(404, 'Not Found');
    else if (match[1] !== token) answer = error(401, 'Unauthorized');
    else {
      answer = handle(match[2]!, body);
      // Long polling: with nothing to give, wait a little as Telegram would (bounded for tests).
      if (match[2] === 'getUpdates' && (answer.body as { result: unknown[] }).result.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    calls.push({ method: match?.[2] ?? '?', body, status: answer.status });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  // How long an idle connection stays open: Node's 5 s unless told.
  if (options.keepAliveMs !== undefined) server.keepAliveTimeout = options.keepAliveMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    sent,
    calls,
    blocked,
    throttleNext(n, retryAfter) {
      throttle = { n, retryAfter };
    },
    queueUpdate(update) {
      updates.push(update);
    },
    addFile(data, folder, extension) {
      const n = files.size;
      const fileId = `BQACAgQAAxkBAAI${n}${'x'.repeat(40)}`;
      files.set(fileId, { data, path: `${folder}/file_${n}.${extension}`, unique: `AgAD${n}` });
      return fileId;
    },
    downloads,
    dropDownloads(n) {
      drop = n;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
