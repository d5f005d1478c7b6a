import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { PlatformError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { downloadBounded, MEDIA_LIMIT_BYTES, MEDIA_TIMEOUT_MS, noAnswer, tooLarge, viewableType } from '../media-download.js';
import type { MediaFetcher } from '../types.js';
import { WHATSAPP_CHANNEL } from './inbound.js';

/**
 * Graph media ids are digits. The pattern is a little looser, but allows no slash and no `..`
 * segment: those would change which Graph path the token is sent to.
 */
const MEDIA_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The answer of `GET /{version}/{media-id}` (Meta's "Media" reference). */
const MediaUrl = z.object({
  url: z.string().regex(/^https?:\/\//, 'must be an http(s) URL'),
  mime_type: z.string().max(255).optional(),
  sha256: z.string().max(128).optional(),
  // Documented as a number, seen as a string.
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

/** A Graph error answer as a PlatformError: Meta's code and words, never the request. */
function refusal(status: number, body: unknown): PlatformError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const message = code !== undefined ? `WhatsApp error ${code}: ${String(error?.message).slice(0, 120)}` : `WhatsApp answered HTTP ${status}`;
  return new PlatformError(message, { status, platformCode: code ?? status, permanent: status < 500 });
}

/** True when `data` hashes to `sha256`, given as hex (what Meta sends) or base64. */
function matches(data: Buffer, sha256: string): boolean {
  const digest = createHash('sha256').update(data).digest();
  return sha256.toLowerCase() === digest.toString('hex') || sha256 === digest.toString('base64');
}

/**
 * Downloads a file a person sent on WhatsApp. The media id from the webhook is looked up with
 * `GET /{version}/{media-id}` (Meta keeps inbound media about 7 days; after that the id is
 * unknown, 400 or 404), which gives a URL valid for 5 minutes; that URL is fetched at once with
 * the same bearer token, and the bytes are checked against the sha256 Meta gave.
 */
export function createWhatsAppMedia(config: NonNullable<Config['whatsapp']>, log: Logger): MediaFetcher {
  const headers = { authorization: `Bearer ${config.accessToken}` };
  return {
    async fetch(mediaId) {
      if (!MEDIA_ID.test(mediaId)) throw new PlatformError('not a WhatsApp media id', { permanent: true });
      const started = Date.now();
      const signal = AbortSignal.timeout(MEDIA_TIMEOUT_MS);
      // phone_number_id: Meta answers only if the media belongs to our number.
      const lookup = `${config.apiUrl}/${config.apiVersion}/${mediaId}?phone_number_id=${encodeURIComponent(config.phoneNumberId)}`;
      let response: Response;
      try {
        response = await fetch(lookup, { headers, signal });
      } catch (err) {
        throw noAnswer(WHATSAPP_CHANNEL, err);
      }
      const answer: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        const error = refusal(response.status, answer);
        log.warn({ status: response.status, error: error.details.platformCode }, 'media lookup refused');
        throw error;
      }
      const media = MediaUrl.safeParse(answer);
      if (!media.success) throw new PlatformError('WhatsApp gave no media URL for this id', { status: response.status, permanent: true });
      const { url, mime_type: mimeType, sha256, file_size: fileSize } = media.data;
      if (fileSize !== undefined && fileSize > MEDIA_LIMIT_BYTES) throw tooLarge(WHATSAPP_CHANNEL, fileSize);
      const { data, contentType } = await downloadBounded(url, {
        channel: WHATSAPP_CHANNEL,
        headers,
        signal,
        refused: (status, body) => {
          log.warn({ status }, 'media download refused');
          return refusal(status, body);
        },
      });
      if (sha256 && !matches(data, sha256)) {
        log.warn({ bytes: data.length }, 'media download does not match its sha256');
        throw new PlatformError('WhatsApp media does not match its sha256', { status: 502 });
      }
      log.info({ bytes: data.length, ms: Date.now() - started }, 'media downloaded');
      return { mimeType: viewableType(mimeType ?? contentType), data };
    },
  };
}
