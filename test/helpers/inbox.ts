import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createStaff } from '../../src/db/staff.js';
import { startTestPonte, type Delivered, type TestPonte } from './ponte.js';
import type { ChannelSender } from '../../src/channels/types.js';

export const PASSWORD = 'a long enough test password';

export interface InboxWorld {
  app: TestPonte;
  /** http://127.0.0.1:<port> */
  base: string;
  orgs: { a: { id: string; slug: string }; b: { id: string; slug: string } };
  /** e-mails of the accounts, all with PASSWORD */
  staff: { admin: string; coordA: string; coordA2: string; coordB: string };
  staffIds: Record<'admin' | 'coordA' | 'coordA2' | 'coordB', string>;
  stop(): Promise<void>;
}

/**
 * A listening Ponte with two organisations (a, b), an admin, two coordinators of a and one of b.
 */
export async function startInboxWorld(databaseUrl: string, extraSenders: ChannelSender[] = []): Promise<InboxWorld> {
  const app = await startTestPonte(databaseUrl, extraSenders);
  await app.ponte.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.ponte.http.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const prisma = app.ponte.db.prisma;
  const org = async (slug: string) => {
    const id = randomUUID();
    await prisma.organisation.create({ data: { id, slug, name: `Organisation ${slug}`, timezone: 'Europe/Lisbon' } });
    return { id, slug };
  };
  const orgs = { a: await org('org-a'), b: await org('org-b') };
  const staff = { admin: 'admin@example.org', coordA: 'coord.a@example.org', coordA2: 'coord.a2@example.org', coordB: 'coord.b@example.org' };
  const account = (email: string, role: 'admin' | 'coordinator', organisationId: string | null) =>
    createStaff(prisma, { email, role, organisationId, password: PASSWORD, mustChangePassword: false });
  const staffIds = {
    admin: await account(staff.admin, 'admin', null),
    coordA: await account(staff.coordA, 'coordinator', orgs.a.id),
    coordA2: await account(staff.coordA2, 'coordinator', orgs.a.id),
    coordB: await account(staff.coordB, 'coordinator', orgs.b.id),
  };
  return { app, base: `http://127.0.0.1:${port}`, orgs, staff, staffIds, stop: () => app.stop() };
}

export interface Response {
  status: number;
  location: string | null;
  text: string;
  headers: Headers;
}

/** A browser without a browser: keeps cookies, and sends the CSRF token of the last page it read. */
export class InboxClient {
  private cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(private readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: globalThis.Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method: string, path: string, init: { form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        cookie: this.cookieHeader(),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.keep(res);
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, location: res.headers.get('location'), text, headers: res.headers };
  }

  get(path: string): Promise<Response> {
    return this.request('GET', path);
  }

  /** A form post with the CSRF token of the last page (unless `_csrf` is given, or `csrf: false`). */
  post(path: string, form: Record<string, string> = {}, options: { csrf?: boolean } = {}): Promise<Response> {
    const withToken = options.csrf === false ? form : { _csrf: this.csrf ?? '', ...form };
    return this.request('POST', path, { form: withToken });
  }

  async signIn(email: string, password = PASSWORD): Promise<Response> {
    await this.get('/inbox/login');
    return this.post('/inbox/login', { email, password });
  }
}

/** Signs in and checks it worked. */
export async function signedIn(world: InboxWorld, email: string): Promise<InboxClient> {
  const client = new InboxClient(world.base);
  const res = await client.signIn(email);
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  await client.get('/inbox');
  return client;
}

/**
 * Plays a chat script on the local channel: `#id` taps the option with that id in the last
 * question (by typing its number); anything else is typed as it is.
 */
export async function chat(app: TestPonte, who: string, lines: readonly string[], lang = 'en'): Promise<Delivered[]> {
  const out: Delivered[] = [];
  let last: Delivered[] = [];
  for (const line of lines) {
    let typed = line;
    if (line.startsWith('#')) {
      const question = [...last].reverse().find((d) => d.message.kind === 'choices');
      const choices = question?.message.kind === 'choices' ? question.message.choices : [];
      const index = choices.findIndex((c) => c.id.endsWith(`.${line.slice(1)}`));
      expect(index, `option ${line} in ${JSON.stringify(choices.map((c) => c.id))}`).toBeGreaterThanOrEqual(0);
      typed = String(index + 1);
    }
    last = await app.say(who, typed, lang);
    out.push(...last);
  }
  return out;
}

/** A visitor of the organisation who asked to talk to a person; returns their person id. */
export async function handoverFrom(world: InboxWorld, who: string, org: 'a' | 'b' = 'a', lang = 'en'): Promise<string> {
  await chat(world.app, who, [`/start ${world.orgs[org].slug}`, '1', '1', '#visitor', '#person', '#yes'], lang);
  const person = await world.app.ponte.db.prisma.person.findFirstOrThrow({ where: { address: who } });
  expect(person.organisationId).toBe(world.orgs[org].id);
  return person.id;
}
