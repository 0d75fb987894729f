import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';
import { signUpAndConnect } from './signUp.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');
const CUSTOMERS = 20;

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  // A short minimum lead, so the campaign can be scheduled for the next minute.
  herald = await startTestHerald(inject('adminDatabaseUrl'), {
    env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on', SCHEDULE_MIN_LEAD_SECONDS: '5' },
    roles: { http: true, worker: true },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

const visible = (page: Page, text: string | RegExp) => expect.poll(() => page.getByText(text).first().isVisible(), { timeout: 10_000 });
const pad = (n: number) => String(n).padStart(2, '0');

/** Customer01…20: odd ones on the pro plan. */
function customersCsv(): string {
  const lines = ['email,first_name,plan'];
  for (let i = 1; i <= CUSTOMERS; i++) lines.push(`customer${pad(i)}@example.com,Customer${pad(i)},${i % 2 === 1 ? 'pro' : 'free'}`);
  return `${lines.join('\n')}\n`;
}
/** Pro customers whose first name contains a 1: 01, 11, 13, 15, 17, 19. */
const EXPECTED = [1, 11, 13, 15, 17, 19].map((i) => `customer${pad(i)}@example.com`);

/** The wall-clock time in `zone` of the first whole minute at least `leadMs` away, as a datetime-local value. */
function nextMinuteIn(zone: string, leadMs: number): { local: string; at: Date } {
  const at = new Date(Math.ceil((Date.now() + leadMs) / 60_000) * 60_000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { local: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`, at };
}

it('a marketer builds a segment, schedules a campaign to it in another time zone, and watches it start at the time', { timeout: 240_000 }, async () => {
  const { page, problems, close } = await watchedPage(browser);

  await signUpAndConnect(page, herald.url, { email: 'joan@example.com', company: 'Clarke Goods', password: 'difference engines' });
  await page.goto(`${herald.url}/settings/profile`);
  await page.getByLabel('Postal address').fill('1 Analytical Row\nLondon\nUnited Kingdom');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect.poll(() => page.getByTestId('profile-status').textContent()).toMatch(/Complete/);

  // Twenty customers with a plan, in a list (the plan column becomes a custom field).
  await page.goto(`${herald.url}/contacts/import`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(customersCsv()) });
  await page.getByRole('button', { name: 'Upload file' }).click();
  await expect.poll(() => page.getByLabel('Email address column').inputValue()).toBe('email');
  await page.getByLabel('Add the contacts to a list (optional)').selectOption({ label: 'A new list…' });
  await page.getByLabel('New list name').fill('Customers');
  await page.getByRole('button', { name: 'Start import' }).click();
  await expect.poll(() => page.getByTestId('import-result').isVisible(), { timeout: 30_000 }).toBe(true);

  // Segments: the empty page says what one is and offers the first.
  await page.getByRole('link', { name: 'Segments' }).first().click();
  await page.waitForURL('**/segments');
  await visible(page, 'No segments yet').toBe(true);
  await page.getByRole('link', { name: 'Build a segment' }).click();
  await page.waitForURL('**/segments/new');
  await page.getByLabel('Segment name').fill('Pro customers with a 1');
  await page.getByLabel('Audience').selectOption({ label: `Customers (${CUSTOMERS})` });
  const count = page.getByTestId('segment-count');
  await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe(String(CUSTOMERS));

  // Two conditions; the count follows each change.
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  const first = page.getByRole('group', { name: 'Condition 1' });
  await first.getByLabel('Field', { exact: true }).selectOption('attribute');
  await first.getByLabel('Attribute name').fill('plan');
  await first.getByLabel('Condition', { exact: true }).selectOption({ label: 'is' });
  await first.getByLabel('Value', { exact: true }).fill('pro');
  await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe(String(CUSTOMERS / 2));
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  const second = page.getByRole('group', { name: 'Condition 2' });
  await second.getByLabel('Field', { exact: true }).selectOption('firstName');
  await second.getByLabel('Condition', { exact: true }).selectOption({ label: 'contains' });
  await second.getByLabel('Value', { exact: true }).fill('1');
  await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe(String(EXPECTED.length));
  expect((await page.getByTestId('segment-matches').locator('a').allTextContents()).sort()).toEqual(EXPECTED);
  // A number input too: everyone here was added today, so the count stays.
  await page.getByRole('button', { name: 'Add condition', exact: true }).click();
  const third = page.getByRole('group', { name: 'Condition 3' });
  await third.getByLabel('Field', { exact: true }).selectOption('createdAt');
  await third.getByLabel('Condition', { exact: true }).selectOption('withinLastDays');
  await third.getByLabel('Days', { exact: true }).fill('30');
  await expect.poll(() => page.getByText(/not filled in yet/).count()).toBe(0);
  await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe(String(EXPECTED.length));
  await page.getByRole('button', { name: 'Create segment' }).click();
  await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
  await visible(page, 'All changes saved').toBe(true);
  await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe(String(EXPECTED.length));

  // A campaign to the segment; the editor counts who it would reach.
  await page.goto(`${herald.url}/campaigns/new`);
  await page.getByLabel('Campaign name').fill('Pro news');
  await expect.poll(() => page.getByLabel('Audience').locator('option').allTextContents()).toContain('Pro customers with a 1');
  await page.getByLabel('Audience').selectOption({ label: 'Pro customers with a 1' });
  await visible(page, `${EXPECTED.length} contacts match now`).toBe(true);
  await page.getByLabel('Subject').fill('{{ first_name }}, news for pro customers');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL('**/campaigns/*/edit');
  await visible(page, 'All changes saved').toBe(true);

  // Send… → Schedule, in Tokyo's time, for this time tomorrow.
  await page.getByRole('button', { name: 'Send…' }).click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.getByTestId('send-recipients').textContent()).toBe(`${EXPECTED.length} recipients`);
  await expect.poll(() => dialog.getByTestId('subject-as-seen').textContent()).toMatch(/^Customer\d\d, news for pro customers$/);
  await dialog.getByLabel('Schedule').check();
  await dialog.getByLabel('Time zone').selectOption('Asia/Tokyo');
  await dialog.getByLabel('Date and time').fill(nextMinuteIn('Asia/Tokyo', 86_400_000).local);
  await expect.poll(() => dialog.getByTestId('schedule-hint').textContent()).toMatch(/your time/);
  await dialog.getByRole('button', { name: /^Schedule for / }).click();
  await page.waitForURL((url) => /^\/campaigns\/[^/]+$/.test(url.pathname));
  await expect.poll(() => page.getByTestId('scheduled-for').textContent()).toMatch(/Scheduled for .* Asia\/Tokyo \(tomorrow\)/);
  expect(await page.getByTestId('campaign-status').first().textContent()).toMatch(/Scheduled/);

  // Change time… moves it to the next whole minute, still in Tokyo's time, without making it a draft.
  await page.getByRole('button', { name: 'Change time…' }).click();
  const move = page.getByRole('dialog');
  expect(await move.getByLabel('Time zone').inputValue()).toBe('Asia/Tokyo');
  const { local, at } = nextMinuteIn('Asia/Tokyo', 15_000);
  await move.getByLabel('Date and time').fill(local);
  await move.getByRole('button', { name: /^Move to / }).click();
  await visible(page, 'it starts once, at the new time').toBe(true);
  await expect.poll(() => page.getByTestId('scheduled-for').textContent()).toMatch(/Scheduled for .* Asia\/Tokyo \((in less than a minute|in 1 minute)\)/);

  // The campaigns list says when.
  await page.getByRole('link', { name: 'Campaigns' }).first().click();
  await page.waitForURL((url) => url.pathname === '/campaigns');
  await expect.poll(() => page.getByTestId('campaign-scheduled-for').first().textContent()).toMatch(/Asia\/Tokyo/);
  await page.getByRole('link', { name: 'Pro news' }).click();

  // At its time it starts by itself: the page turns into the live report, within seconds of the minute.
  await expect.poll(() => page.getByTestId('campaign-status').first().textContent(), { timeout: 120_000, intervals: [500] }).toMatch(/Sending|Sent/);
  const startedAfterMs = Date.now() - at.getTime();
  expect(startedAfterMs).toBeGreaterThan(-1_000);
  await expect.poll(() => page.getByTestId('campaign-status').first().textContent(), { timeout: 60_000 }).toMatch(/Sent/);
  await expect.poll(() => page.getByTestId('scheduled-start').textContent()).toMatch(/Asia\/Tokyo · started on time/);

  // Exactly the segment's matches got it, once each.
  const sim = (herald.deps.env.sesEndpoint ?? '').replace(/\/$/, '');
  const sent = (await (await fetch(`${sim}/_simulator/messages`)).json()) as { destinations: string[]; subject: string | null }[];
  const ours = sent.filter((m) => m.subject?.endsWith('news for pro customers')).flatMap((m) => m.destinations);
  expect(ours.sort()).toEqual(EXPECTED);

  expect(problems).toEqual([]);
  await close();
});
