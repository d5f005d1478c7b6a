import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createStaff } from '../../src/db/staff.js';
import type { TestDatabase } from '../helpers/databases.js';
import { PASSWORD } from '../helpers/inbox.js';
import { root } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';
import { startTwoChannelWorld, type TwoChannelWorld } from '../helpers/telegram-world.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of the pages the tests walk through, for people to look at. */
export const screenshots = join(root, 'test-results', 'inbox');

/** Ponte with the Telegram channel on a local double of the Bot API, an organisation and its staff, and Chromium. */
export interface BrowserWorld extends TwoChannelWorld {
  browser: Browser;
  orgId: string;
  staff: { coordinator: string; second: string; admin: string };
  /** A new browser page signed in as this staff member. */
  signIn(email: string): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
}

export async function startBrowserWorld(database: TestDatabase): Promise<BrowserWorld> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian's chromium package; .ci/run installs it)`).toBe(true);
  mkdirSync(screenshots, { recursive: true });
  const world = await startTwoChannelWorld(database);
  const { ponte, base } = world;
  const prisma = ponte.db.prisma;
  const orgId = 'org-lisboa';
  await prisma.organisation.create({ data: { id: orgId, slug: 'lisboa', name: 'Lisboa Acolhe', timezone: 'Europe/Lisbon' } });
  const staff = { coordinator: 'marta@lisboa.example', second: 'joao@lisboa.example', admin: 'admin@ponte.example' };
  await createStaff(prisma, { email: staff.coordinator, role: 'coordinator', organisationId: orgId, password: PASSWORD, mustChangePassword: false });
  await createStaff(prisma, { email: staff.second, role: 'coordinator', organisationId: orgId, password: PASSWORD, mustChangePassword: false });
  await createStaff(prisma, { email: staff.admin, role: 'admin', organisationId: null, password: PASSWORD, mustChangePassword: false });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    ...world,
    browser,
    orgId,
    staff,
    async signIn(email) {
      const page = await browser.newPage();
      await page.goto(`${base}/inbox`);
      // Sent to the sign-in page first: no page without a session.
      await page.waitForURL(/\/inbox\/login/);
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/inbox`);
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      await world.stop();
    },
  };
}

export { waitFor };
