import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline, type Readable } from 'node:stream';

export interface JsonAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed body, or undefined when it is not JSON. */
  body: unknown;
}

/** An abort signal: Node's, or the polyfill grammY gives its calls. */
export interface Signal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Posts `body` and reads the JSON answer. A string is sent as JSON; a stream (a multipart upload)
 * as it comes, with the content type in `headers`.
 */
export type PostJson = (url: string, headers: Record<string, string>, body: string | Readable, signal?: Signal) => Promise<JsonAnswer>;

/**
 * Posts over connections kept alive between requests. Node's fetch spends several times the CPU
 * on each request (web streams, a copy of the request, an abort signal), which shows at a
 * thousand sends a second; this is the plain HTTP client under it. A request with no answer
 * within `timeoutMs`, or whose `signal` aborts, is given up (it rejects; the outbox retries).
 */
export function createJsonPoster(timeoutMs: number): PostJson {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return (url, headers, body, signal) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const request = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          headers: typeof body === 'string' ? { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            settle();
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed });
          });
        },
      );
      const timer = setTimeout(() => request.destroy(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })), timeoutMs);
      const abort = () => request.destroy(Object.assign(new Error('the request was aborted'), { name: 'AbortError' }));
      function settle(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      }
      function fail(err: unknown): void {
        settle();
        reject(err);
      }
      request.on('error', fail);
      signal?.addEventListener('abort', abort);
      if (signal?.aborted) abort();
      else if (typeof body === 'string') request.end(body);
      else pipeline(body, request, (err) => err && fail(err));
    });
}

/**
 * A `fetch` for grammY on the poster: grammY posts each Bot API call as JSON, or as a multipart
 * stream when it uploads a file, and reads only `json()` of the answer. An answer that is not
 * JSON fails `json()`, as fetch's does, and grammY reports it as an HTTP error.
 */
export function fetchForGrammy<F>(post: PostJson): F {
  const fetch = async (url: string, init?: { body?: string | Readable; headers?: Record<string, string>; signal?: Signal }) => {
    const answer = await post(url, init?.headers ?? {}, init?.body ?? '', init?.signal);
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      json: async () => {
        if (answer.body === undefined) throw new Error(`the answer (HTTP ${answer.status}) is not JSON`);
        return answer.body;
      },
    };
  };
  return fetch as F;
}
