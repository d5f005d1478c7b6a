import { NetworkError, PlatformError } from '../errors.js';

/**
 * The largest file Ponte downloads for a coordinator. Telegram lets bots download up to 20 MB;
 * WhatsApp documents may be up to 100 MB, and the whole file is held in memory to be served.
 */
export const MEDIA_LIMIT_BYTES = 25 * 1024 * 1024;

/** How long a download may take (with its lookup, where one signal covers both): a coordinator is waiting. */
export const MEDIA_TIMEOUT_MS = 30_000;

/**
 * Types a browser shows without running anything. Anything else a person sent (HTML, SVG, an
 * office document) is served as `application/octet-stream`, so it is saved, never rendered
 * inside the inbox's origin.
 */
const VIEWABLE = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/wav',
  'audio/webm',
  'video/mp4',
  'video/webm',
  'video/3gpp',
  'application/pdf',
  'text/plain',
]);

/** The type to serve a downloaded file with: the declared one when it is viewable, parameters dropped. */
export function viewableType(declared: string | undefined): string {
  const type = declared?.split(';')[0]!.trim().toLowerCase();
  return type && VIEWABLE.has(type) ? type : 'application/octet-stream';
}

/** A file over MEDIA_LIMIT_BYTES: sending the request again cannot help. */
export function tooLarge(channel: string, bytes: number): PlatformError {
  return new PlatformError(`${channel} file of ${bytes} bytes is over the ${MEDIA_LIMIT_BYTES}-byte limit`, { status: 413, permanent: true });
}

/**
 * A fetch that failed to get an answer, as a NetworkError that names only the error kind: the
 * request URL can hold a bot token (Telegram's file links), and Node's fetch errors may quote it,
 * so the original error is not kept as the cause.
 */
export function noAnswer(channel: string, err: unknown): NetworkError {
  const name = err instanceof Error ? err.name : 'Error';
  if (name === 'TimeoutError' || name === 'AbortError') return new NetworkError(`${channel} file download timed out`);
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return new NetworkError(`${channel} file download got no answer (${typeof code === 'string' ? code : name})`);
}

/**
 * Downloads a file's bytes, refusing more than MEDIA_LIMIT_BYTES whether or not the server
 * says how long it is. A non-2xx answer becomes the error `refused` makes of it.
 */
export async function downloadBounded(
  url: string,
  options: {
    channel: string;
    headers?: Record<string, string>;
    signal: AbortSignal;
    refused: (status: number, body: unknown) => PlatformError;
  },
): Promise<{ data: Buffer; contentType: string | undefined }> {
  const { channel } = options;
  let response: Response;
  try {
    response = await fetch(url, { headers: options.headers ?? {}, signal: options.signal });
  } catch (err) {
    throw noAnswer(channel, err);
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw options.refused(response.status, body);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MEDIA_LIMIT_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(channel, declared);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body ?? []) {
      received += chunk.byteLength;
      if (received > MEDIA_LIMIT_BYTES) break;
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    throw noAnswer(channel, err);
  }
  if (received > MEDIA_LIMIT_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(channel, received);
  }
  return { data: Buffer.concat(chunks), contentType: response.headers.get('content-type') ?? undefined };
}
