import type { Api } from 'grammy';
import { PlatformError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { downloadBounded, MEDIA_LIMIT_BYTES, MEDIA_TIMEOUT_MS, tooLarge, viewableType } from '../media-download.js';
import type { MediaFetcher } from '../types.js';
import { toPlatformError } from './client.js';
import { TELEGRAM_CHANNEL } from './inbound.js';

/**
 * getFile gives no type, but Telegram keeps the extension in `file_path` (`photos/file_3.jpg`,
 * `voice/file_7.oga`, `documents/file_9.pdf`): read the type from it.
 */
const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

function typeOfPath(filePath: string): string | undefined {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(filePath)?.[1]?.toLowerCase();
  return extension ? BY_EXTENSION[extension] : undefined;
}

/**
 * Downloads a file a person sent on Telegram: `getFile` turns the file_id into a path, then the
 * bytes come from `{apiRoot}/file/bot<token>/<file_path>` (a link valid for at least an hour, so
 * it is used at once and never kept). That link holds the bot token: it is never logged, and
 * errors about it say only what kind of failure it was.
 */
export function createTelegramMedia(api: Api, settings: { token: string; apiRoot: string }, log: Logger): MediaFetcher {
  return {
    async fetch(fileId) {
      const started = Date.now();
      let file: Awaited<ReturnType<Api['getFile']>>;
      try {
        // Bounded by the bot client's own timeout (15 s, set in index.ts).
        file = await api.getFile(fileId);
      } catch (err) {
        // 400 "invalid file_id" for an unknown or expired id, "file is too big" over 20 MB.
        const error = toPlatformError(err);
        if (error instanceof PlatformError) log.warn({ status: error.details.status }, 'getFile refused');
        throw error;
      }
      if (!file.file_path) throw new PlatformError('Telegram gave no file_path for this file', { permanent: true });
      if (file.file_size !== undefined && file.file_size > MEDIA_LIMIT_BYTES) throw tooLarge(TELEGRAM_CHANNEL, file.file_size);
      const path = file.file_path.split('/').map(encodeURIComponent).join('/');
      const { data, contentType } = await downloadBounded(`${settings.apiRoot}/file/bot${settings.token}/${path}`, {
        channel: TELEGRAM_CHANNEL,
        signal: AbortSignal.timeout(MEDIA_TIMEOUT_MS),
        refused: (status) => {
          log.warn({ status }, 'file download refused');
          return new PlatformError(`Telegram file download answered HTTP ${status}`, { status, platformCode: status, permanent: status < 500 });
        },
      });
      log.info({ bytes: data.length, ms: Date.now() - started }, 'file downloaded');
      return { mimeType: viewableType(typeOfPath(file.file_path) ?? contentType), data };
    },
  };
}
