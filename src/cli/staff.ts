// `npm run staff -- add --email EMAIL --role coordinator|admin [--org SLUG] [--password PW]`
// `npm run staff -- disable --email EMAIL`     the account's sessions end at once
// `npm run staff -- reset --email EMAIL`       prints a new one-time password
// `npm run staff -- list`
// Works on SQLite and PostgreSQL alike (DATABASE_URL). A bad argument: one line, exit 2.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { createStaff, disableStaff, normaliseEmail, oneTimePassword, setPassword } from '../db/staff.js';
import { check, runCommand, UsageError } from './command.js';

const usage = `usage: npm run staff -- add --email EMAIL --role coordinator|admin [--org SLUG] [--password PW]
       npm run staff -- disable --email EMAIL
       npm run staff -- reset --email EMAIL
       npm run staff -- list`;

const Email = z.string({ error: 'is required' }).email('must be an e-mail address').transform(normaliseEmail);

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, password: { type: 'string' } },
    strict: true,
  });
  if (!['add', 'disable', 'reset', 'list'].includes(command ?? '')) throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const db = await openDb(config.databaseUrl);
  try {
    const find = async (email: string) => {
      const staff = await db.prisma.staff.findUnique({ where: { email } });
      if (!staff) throw new UsageError(`--email: no account for ${email}`);
      return staff;
    };
    switch (command) {
      case 'add': {
        const email = check(Email, values.email, 'email');
        const role = check(z.enum(['coordinator', 'admin'], { error: 'must be coordinator or admin' }), values.role, 'role');
        let organisationId: string | null = null;
        if (role === 'coordinator') {
          const slug = check(z.string({ error: 'is required for a coordinator' }).min(1, 'is required for a coordinator'), values.org, 'org');
          const org = await db.prisma.organisation.findUnique({ where: { slug } });
          if (!org) throw new UsageError(`--org: no organisation "${slug}" (npm run org -- list)`);
          organisationId = org.id;
        } else if (values.org !== undefined) {
          throw new UsageError('--org: an admin sees every organisation; leave --org out');
        }
        if (values.password !== undefined) check(z.string().min(12, 'must be at least 12 characters'), values.password, 'password');
        if (await db.prisma.staff.findUnique({ where: { email } })) throw new UsageError(`--email: an account for ${email} already exists`);
        const password = values.password ?? oneTimePassword();
        await createStaff(db.prisma, { email, role, organisationId, password, mustChangePassword: values.password === undefined });
        console.log(`added ${role} ${email}${values.org ? ` (${values.org})` : ''}`);
        if (values.password === undefined) console.log(`one-time password (to be changed at the first sign-in): ${password}`);
        return;
      }
      case 'disable': {
        const staff = await find(check(Email, values.email, 'email'));
        await disableStaff(db.prisma, staff.id);
        console.log(`disabled ${staff.email}; its sessions have ended`);
        return;
      }
      case 'reset': {
        const staff = await find(check(Email, values.email, 'email'));
        const password = oneTimePassword();
        await setPassword(db.prisma, staff.id, password, true);
        console.log(`one-time password for ${staff.email} (to be changed at the next sign-in): ${password}`);
        return;
      }
      case 'list': {
        const staff = await db.prisma.staff.findMany({ include: { organisation: { select: { slug: true } } }, orderBy: { email: 'asc' } });
        if (staff.length === 0) console.log('no accounts yet: npm run staff -- add --email EMAIL --role admin');
        for (const s of staff) console.log(`${s.email}\t${s.role}\t${s.organisation?.slug ?? '-'}\t${s.disabledAt ? 'disabled' : 'active'}`);
        return;
      }
    }
  } finally {
    await db.close();
  }
}

runCommand('staff', usage, main);
