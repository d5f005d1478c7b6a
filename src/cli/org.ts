// `npm run org -- add --slug SLUG --name "NAME" [--timezone TZ] [--months 3-6]`   a partner organisation
// `npm run org -- list`                                             organisations and their deep links
// `npm run org -- infoday --title T --place P --at ISO [--org SLUG] [--capacity N]`
//                                                                   an info day (coordinators also set them in the inbox)
// Works on SQLite and PostgreSQL alike (DATABASE_URL). A bad argument: one line, exit 2.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig, TimeZone } from '../config.js';
import { openDb } from '../db/client.js';
import { createInfoDay, telegramBotUsername } from '../db/info-days.js';
import { migrate } from '../db/migrate.js';
import { check, runCommand, UsageError } from './command.js';

const usage = `usage: npm run org -- add --slug SLUG --name "NAME" [--timezone TZ] [--months 3-6]
       npm run org -- list
       npm run org -- infoday --title "TITLE" --place "PLACE" --at 2026-12-12T18:00 [--org SLUG] [--capacity N]`;

const Slug = z.string().regex(/^[a-z0-9_-]{2,64}$/, 'must be 2–64 of a-z 0-9 _ - (it becomes the deep-link payload)');

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      timezone: { type: 'string' },
      title: { type: 'string' },
      place: { type: 'string' },
      at: { type: 'string' },
      org: { type: 'string' },
      capacity: { type: 'string' },
      months: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const db = await openDb(config.databaseUrl);
  try {
    switch (command) {
      case 'add': {
        const slug = check(Slug, values.slug, 'slug');
        const name = check(z.string().trim().min(1, 'is required').max(120), values.name, 'name');
        const timezone = check(TimeZone, values.timezone ?? config.programmeTimezone, 'timezone');
        const programmeMonths = check(z.coerce.number().int('must be a whole number of months').min(3, 'must be 3 to 6').max(6, 'must be 3 to 6'), values.months ?? '6', 'months');
        if (await db.prisma.organisation.findUnique({ where: { slug } })) throw new UsageError(`--slug: an organisation "${slug}" already exists`);
        await db.prisma.organisation.create({ data: { id: randomUUID(), slug, name, timezone, programmeMonths } });
        console.log(`added ${slug} (${name}, ${timezone}, ${programmeMonths}-month mentoring)`);
        return;
      }
      case 'list': {
        const orgs = await db.prisma.organisation.findMany({ orderBy: { slug: 'asc' } });
        if (orgs.length === 0) console.log('no organisations yet: npm run org -- add --slug SLUG --name "NAME"');
        // Known once the service has started with Telegram on (getMe), or set in the inbox.
        const bot = (await telegramBotUsername(db.prisma)) ?? '<your-bot>';
        for (const o of orgs) {
          console.log(`${o.slug}\t${o.name}\t${o.timezone}\tTelegram: https://t.me/${bot}?start=${o.slug}`);
        }
        return;
      }
      case 'infoday': {
        const title = check(z.string().trim().min(1, 'is required').max(120), values.title, 'title');
        const place = check(z.string().trim().min(1, 'is required').max(200), values.place, 'place');
        const startsAt = check(z.coerce.date().refine((d) => d.getTime() > Date.now(), 'must be a future date and time, e.g. 2026-12-12T18:00'), values.at, 'at');
        const capacity = values.capacity === undefined ? null : check(z.coerce.number().int().min(1).max(10_000), values.capacity, 'capacity');
        let organisationId: string | null = null;
        if (values.org !== undefined) {
          const org = await db.prisma.organisation.findUnique({ where: { slug: check(Slug, values.org, 'org') } });
          if (!org) throw new UsageError(`--org: no organisation "${values.org}" (npm run org -- list)`);
          organisationId = org.id;
        }
        const id = await createInfoDay(db.prisma, { organisationId, title, place, startsAt, capacity });
        console.log(`added info day ${id} on ${startsAt.toISOString()}`);
        return;
      }
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
    }
  } finally {
    await db.close();
  }
}

runCommand('org', usage, main);
