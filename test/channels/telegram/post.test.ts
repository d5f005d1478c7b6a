import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonPoster, fetchForGrammy } from '../../../src/channels/post-json.js';
import { freePort } from '../../helpers/spawn.js';

/** A server that answers each request with the next of `answers`, recording what it got. */
async function serve(answers: ((req: IncomingMessage, body: string) => { status: number; type: string; body: string } | 'hang-up' | 'hold')[]) {
  const got: { url: string; type: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
      const answer = answers.shift()!(req, body);
      if (answer === 'hang-up') return req.socket.destroy();
      if (answer === 'hold') return;
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { root: `http://127.0.0.1:${port}`, got, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (body: unknown, status = 200) => () => ({ status, type: 'application/json', body: JSON.stringify(body) });

describe('grammY’s calls on the plain HTTP client', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('posts JSON and uploads, and passes on the Bot API’s refusals, unreadable answers and hang-ups as grammY’s own errors', async () => {
    const server = await serve([
      json({ ok: true, result: { message_id: 7, date: 1, chat: { id: 5, type: 'private' }, text: 'hi' } }),
      json({ ok: true, result: { message_id: 8, date: 1, chat: { id: 5, type: 'private' } } }),
      json({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } }, 429),
      () => ({ status: 502, type: 'text/html', body: '<html>Bad Gateway</html>' }),
      () => 'hang-up',
    ]);
    closing.push(server.close);
    const api = new Api('123:abc', { apiRoot: server.root, timeoutSeconds: 5, fetch: fetchForGrammy(createJsonPoster(5000)) });

    expect((await api.sendMessage(5, 'hi')).message_id).toBe(7);
    expect(server.got[0]).toMatchObject({ url: '/bot123:abc/sendMessage', type: 'application/json' });
    expect(JSON.parse(server.got[0]!.body)).toMatchObject({ chat_id: 5, text: 'hi' });

    expect((await api.sendDocument(5, new InputFile(Buffer.from('{"a":1}'), 'ponte-my-data.json'), { caption: 'yours' })).message_id).toBe(8);
    expect(server.got[1]!.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(server.got[1]!.body).toContain('filename=ponte-my-data.json');
    expect(server.got[1]!.body).toContain('{"a":1}');

    const throttled = await api.sendMessage(5, 'again').catch((err: unknown) => err);
    expect(throttled).toBeInstanceOf(GrammyError);
    expect((throttled as GrammyError).parameters.retry_after).toBe(3);

    await expect(api.sendMessage(5, 'proxy down')).rejects.toBeInstanceOf(HttpError);
    await expect(api.sendMessage(5, 'hung up')).rejects.toBeInstanceOf(HttpError);
  });

  it('gives up a call grammY times out, and the connection with it', async () => {
    let hung: IncomingMessage | undefined;
    const server = await serve([
      (req) => {
        hung = req;
        return 'hold';
      },
    ]);
    closing.push(server.close);
    const api = new Api('123:abc', { apiRoot: server.root, timeoutSeconds: 0.2, fetch: fetchForGrammy(createJsonPoster(60_000)) });
    const started = Date.now();
    await expect(api.sendMessage(5, 'hi')).rejects.toBeInstanceOf(HttpError);
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hung?.socket.destroyed).toBe(true);
  });
});
