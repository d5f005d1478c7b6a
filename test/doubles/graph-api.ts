import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A message the double accepted, as the real API would have delivered it. */
export interface AcceptedMessage {
  id: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  at: number;
}

export interface GraphDoubleOptions {
  token: string;
  phoneNumberId: string;
  version?: string;
  /** Messages per second the number may send before 130429 (Meta's default tier: 80). */
  ratePerSecond?: number;
  /**
   * Keep each accepted message's body (the default; tests read them). The bench's survey keeps
   * only who, what and when: 50,000 bodies kept made the double's own garbage collections pause
   * it for up to 30 ms, and a paused double counts the sends that waited as arriving together.
   */
  keepBodies?: boolean;
}

/** A stand-in for the Graph API messages endpoint, enforcing WhatsApp's documented limits. */
export interface GraphDouble {
  /** Base URL, for WHATSAPP_API_URL. */
  url: string;
  /** Every accepted message, in order. */
  accepted: AcceptedMessage[];
  /** Message ids marked as read. */
  reads: string[];
  /** Every error answered, by Graph code. */
  refused: { code: number; to: string | undefined; type: string | undefined }[];
  /** Recipients whose 24-hour window is closed: free-form messages get 131047. */
  closedWindow: Set<string>;
  /** Numbers not on WhatsApp: 131026. */
  unknownNumbers: Set<string>;
  ratePerSecond: number;
  /** The most messages accepted within any one sliding second: how close the sender came to the cap. */
  busiestSecond: number;
  /** Answers to give to the next messages instead of accepting them (pair rate, 5xx), in order. */
  failNext: { code: number; status?: number; retryAfter?: string }[];
  /** Media ids handed out by uploads to the media store. */
  uploads: string[];
  /**
   * Keeps a file as if a person had sent it; returns its media id. `claim` changes what the
   * lookup says about it (a wrong sha256, another size) to play a corrupted or oversized file.
   */
  addMedia(data: Buffer, mimeType: string, claim?: { sha256?: string; fileSize?: number }): string;
  /** Media URLs downloaded (answered 200), in order. */
  mediaDownloads: string[];
  /** How long a media URL from a lookup can be downloaded (Meta: 5 minutes). */
  mediaUrlTtlMs: number;
  acceptedFor(to: string): AcceptedMessage[];
  close(): Promise<void>;
}

/** The body of an accepted message when bodies are not kept. */
const NOT_KEPT: Record<string, unknown> = Object.freeze({});

/** Graph's error syntax (platform payloads, section 2). */
function graphError(code: number, message: string, details: string) {
  return {
    error: { message: `(#${code}) ${message}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: 'AbCdEf' },
  };
}

/** Graph's answer for an id it does not know (or no longer keeps): code 100, subcode 33. */
function unknownObject(id: string) {
  return {
    error: {
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'AbCdEf',
    },
  };
}

class Refusal extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
    readonly title = code === 100 ? 'Invalid parameter' : 'Parameter value is not valid',
  ) {
    super(details);
  }
}

const chars = (v: unknown): number => (typeof v === 'string' ? [...v].length : -1);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function need(ok: boolean, code: number, details: string): void {
  if (!ok) throw new Refusal(code, details);
}

function between(v: unknown, min: number, max: number): boolean {
  const n = chars(v);
  return n >= min && n <= max;
}

function checkText(body: Record<string, unknown>): void {
  const text = body.text;
  need(isObject(text) && between(text.body, 1, 4096), 100, "Param text['body'] must be 1 to 4096 characters long");
}

function checkButtons(interactive: Record<string, unknown>): void {
  const body = interactive.body;
  need(isObject(body) && between(body.text, 1, 1024), 131009, 'Body text length invalid. Min length: 1, Max length: 1024');
  const action = interactive.action;
  const buttons = isObject(action) && Array.isArray(action.buttons) ? action.buttons : [];
  need(buttons.length >= 1 && buttons.length <= 3, 131009, 'Buttons count invalid. Min: 1, Max: 3');
  const ids: unknown[] = [];
  const titles: unknown[] = [];
  for (const b of buttons) {
    need(isObject(b) && b.type === 'reply' && isObject(b.reply), 100, 'Button must be of type reply');
    const reply = b.reply as Record<string, unknown>;
    need(between(reply.title, 1, 20), 131009, 'Button title length invalid. Min length: 1, Max length: 20');
    need(between(reply.id, 1, 256), 131009, 'Button id length invalid. Min length: 1, Max length: 256');
    ids.push(reply.id);
    titles.push(reply.title);
  }
  need(new Set(titles).size === titles.length, 131009, 'Button titles must be unique');
  need(new Set(ids).size === ids.length, 131009, 'Button ids must be unique');
}

function checkList(interactive: Record<string, unknown>): void {
  const body = interactive.body;
  need(isObject(body) && between(body.text, 1, 4096), 131009, 'Body text length invalid. Min length: 1, Max length: 4096');
  const action = interactive.action;
  need(isObject(action), 100, 'Param action is required');
  const { button, sections } = action as Record<string, unknown>;
  need(between(button, 1, 20), 131009, 'Button text length invalid. Min length: 1, Max length: 20');
  need(Array.isArray(sections) && sections.length >= 1 && sections.length <= 10, 131009, 'Sections count invalid. Min: 1, Max: 10');
  const list = sections as unknown[];
  const ids: unknown[] = [];
  for (const s of list) {
    need(isObject(s) && Array.isArray(s.rows) && s.rows.length >= 1, 131009, 'Each section needs rows');
    const section = s as Record<string, unknown>;
    if (list.length > 1 || section.title !== undefined) need(between(section.title, 1, 24), 131009, 'Section title length invalid. Max length: 24');
    for (const r of section.rows as unknown[]) {
      need(isObject(r), 100, 'Row must be an object');
      const row = r as Record<string, unknown>;
      need(between(row.title, 1, 24), 131009, 'Row title length invalid. Min length: 1, Max length: 24');
      need(between(row.id, 1, 200), 131009, 'Row id length invalid. Min length: 1, Max length: 200');
      if (row.description !== undefined) need(between(row.description, 0, 72), 131009, 'Row description length invalid. Max length: 72');
      ids.push(row.id);
    }
  }
  need(ids.length <= 10, 131009, 'Total row count exceed max allowed count: 10');
  need(new Set(ids).size === ids.length, 131009, 'Row ids must be unique');
}

function checkTemplate(body: Record<string, unknown>): void {
  const template = body.template;
  need(isObject(template) && between(template.name, 1, 512), 100, "Param template['name'] is required");
  const t = template as Record<string, unknown>;
  need(isObject(t.language) && between((t.language as Record<string, unknown>).code, 2, 10), 100, "Param template['language']['code'] is required");
  const components = Array.isArray(t.components) ? t.components : [];
  for (const c of components) {
    for (const p of isObject(c) && Array.isArray(c.parameters) ? c.parameters : []) {
      if (!isObject(p) || p.type !== 'text') continue;
      need(between(p.text, 1, 1024), 131009, 'Template parameter length invalid');
      if (/[\n\t]| {5,}/.test(String(p.text))) {
        throw new Refusal(132018, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces', 'There was an issue with the parameters in your template.');
      }
    }
  }
}

function checkMedia(body: Record<string, unknown>, type: string): void {
  const media = body[type];
  need(isObject(media) && (typeof media.link === 'string' ? /^https?:\/\//.test(media.link) : typeof media.id === 'string'), 100, `Param ${type}['link'] must be a URL`);
  const caption = (media as Record<string, unknown>).caption;
  if (caption !== undefined) need(type !== 'audio' && between(caption, 0, 1024), 100, 'Caption not allowed or too long');
}

/** Checks a message body as the Cloud API does; throws a Refusal with the Graph code. */
function checkMessage(body: Record<string, unknown>): void {
  need(body.messaging_product === 'whatsapp', 100, 'Param messaging_product is required');
  need(typeof body.to === 'string' && body.to.length > 0, 100, 'Param to is required');
  switch (body.type) {
    case 'text':
      return checkText(body);
    case 'interactive': {
      const interactive = body.interactive;
      need(isObject(interactive), 100, 'Param interactive is required');
      const kind = (interactive as Record<string, unknown>).type;
      if (kind === 'button') return checkButtons(interactive as Record<string, unknown>);
      if (kind === 'list') return checkList(interactive as Record<string, unknown>);
      throw new Refusal(100, 'Unsupported interactive type');
    }
    case 'template':
      return checkTemplate(body);
    case 'image':
    case 'document':
    case 'audio':
      return checkMedia(body, body.type);
    default:
      throw new Refusal(131051, 'Unsupported message type', 'Message type unknown');
  }
}

/**
 * Starts the double on a free port. Answers like the Cloud API: 401 with a Graph error for a
 * wrong token; 400 with 100/131009/132018 for a body that breaks a limit; 130429 over the
 * throughput cap; 131047 for a free-form message to a closed window; 131026 for an unknown number.
 * Media people sent is looked up and downloaded as on the Cloud API: both need the token (401),
 * an unknown id gets 400 with code 100, and a media URL answers 404 once its 5 minutes are over.
 */
export async function startGraphDouble(options: GraphDoubleOptions): Promise<GraphDouble> {
  const path = `/${options.version ?? 'v23.0'}/${options.phoneNumberId}/messages`;
  const mediaPath = `/${options.version ?? 'v23.0'}/${options.phoneNumberId}/media`;
  const sentAt: number[] = [];
  const keepBodies = options.keepBodies ?? true;
  let next = 0;
  const media = new Map<string, { data: Buffer; mimeType: string; sha256: string; fileSize: number }>();
  let base = '';
  const double: Omit<GraphDouble, 'url' | 'close'> = {
    accepted: [],
    reads: [],
    refused: [],
    closedWindow: new Set(),
    unknownNumbers: new Set(),
    ratePerSecond: options.ratePerSecond ?? 80,
    busiestSecond: 0,
    failNext: [],
    uploads: [],
    addMedia(data, mimeType, claim = {}) {
      const id = String(900_000_000_000_000 + media.size);
      const sha256 = claim.sha256 ?? createHash('sha256').update(data).digest('hex');
      media.set(id, { data, mimeType, sha256, fileSize: claim.fileSize ?? data.length });
      return id;
    },
    mediaDownloads: [],
    mediaUrlTtlMs: 5 * 60_000,
    acceptedFor: (to) => double.accepted.filter((m) => m.to === to),
  };

  function answer(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /**
   * `GET /{version}/{media-id}` gives a media URL (with `phone_number_id`, only for this number's
   * media); `GET /whatsapp_business/attachments/?mid=…&ext=…` gives the bytes until `ext`.
   */
  function serveMedia(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/whatsapp_business/attachments/') {
      const file = media.get(url.searchParams.get('mid') ?? '');
      if (!file || Number(url.searchParams.get('ext')) < Date.now()) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
        return;
      }
      double.mediaDownloads.push(url.pathname + url.search);
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.data.length) });
      res.end(file.data);
      return;
    }
    const lookup = new RegExp(`^/${options.version ?? 'v23.0'}/([^/]+)$`).exec(url.pathname);
    if (!lookup) return answer(res, 400, graphError(100, 'Unsupported get request', 'unknown path'));
    const id = decodeURIComponent(lookup[1]!);
    const file = media.get(id);
    const numberId = url.searchParams.get('phone_number_id');
    if (!file || (numberId !== null && numberId !== options.phoneNumberId)) return answer(res, 400, unknownObject(id));
    const expires = Date.now() + double.mediaUrlTtlMs;
    answer(res, 200, {
      messaging_product: 'whatsapp',
      url: `${base}/whatsapp_business/attachments/?mid=${id}&ext=${expires}&hash=ATtest`,
      mime_type: file.mimeType,
      sha256: file.sha256,
      file_size: file.fileSize,
      id,
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      double.refused.push({ code: 190, to: undefined, type: undefined });
      return answer(res, 401, graphError(190, 'Invalid OAuth access token - Cannot parse access token', 'invalid token'));
    }
    if (req.method === 'GET') return serveMedia(req, res);
    if (req.method === 'POST' && req.url === mediaPath) {
      // The media store: a multipart upload with messaging_product, type and the file.
      const multipart = /^multipart\/form-data/.test(req.headers['content-type'] ?? '');
      if (!multipart || !raw.includes('name="messaging_product"') || !raw.includes('name="file"')) {
        return answer(res, 400, graphError(100, 'Invalid parameter', 'a multipart body with messaging_product and file is required'));
      }
      const id = `media.${++next}`;
      double.uploads.push(id);
      return answer(res, 200, { id });
    }
    if (req.method !== 'POST' || req.url !== path) return answer(res, 400, graphError(100, 'Unsupported post request', 'unknown path'));
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!isObject(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      return answer(res, 400, graphError(100, 'Invalid parameter', 'the body is not a JSON object'));
    }
    if (body.status === 'read') {
      if (body.messaging_product !== 'whatsapp' || typeof body.message_id !== 'string') return answer(res, 400, graphError(100, 'Invalid parameter', 'message_id'));
      double.reads.push(body.message_id);
      return answer(res, 200, { success: true });
    }
    const to = typeof body.to === 'string' ? body.to : undefined;
    const type = typeof body.type === 'string' ? body.type : undefined;
    const refuse = (code: number, title: string, details: string) => {
      double.refused.push({ code, to, type });
      answer(res, 400, graphError(code, title, details));
    };
    try {
      checkMessage(body);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      return refuse(err.code, err.title, err.details);
    }
    const scripted = double.failNext.shift();
    if (scripted) {
      double.refused.push({ code: scripted.code, to, type });
      res.writeHead(scripted.status ?? 400, { 'content-type': 'application/json', ...(scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {}) });
      res.end(JSON.stringify(graphError(scripted.code, 'Scripted error', 'scripted by the test')));
      return;
    }
    const now = Date.now();
    while (sentAt.length > 0 && sentAt[0]! <= now - 1000) sentAt.shift();
    if (double.ratePerSecond > 0 && sentAt.length >= double.ratePerSecond) {
      return refuse(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.');
    }
    if (double.unknownNumbers.has(to!)) return refuse(131026, 'Message undeliverable', 'Unable to deliver message.');
    if (double.closedWindow.has(to!) && type !== 'template') {
      return refuse(131047, 'Re-engagement message', 'More than 24 hours have passed since the recipient last replied to the sender number.');
    }
    sentAt.push(now);
    double.busiestSecond = Math.max(double.busiestSecond, sentAt.length);
    next += 1;
    const id = `wamid.${next}`;
    double.accepted.push({ id, to: to!, type: type!, body: keepBodies ? body : NOT_KEPT, at: now });
    answer(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  return Object.assign(double, {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
