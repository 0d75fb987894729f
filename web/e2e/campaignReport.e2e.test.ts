import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');
/** Set to a directory to keep screenshots of the report while it sends, paused and finished. */
const shots = process.env.REPORT_SCREENSHOTS;

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  // The worker sends; the built-in simulator plays SES and posts its events back over signed SNS.
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on' }, roles: { http: true, worker: true } });
  browser = await launchBrowser();
  if (shots) await mkdir(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

const KEY = 'HERALDREPORTDEMO0001';
const READERS = 36;
const BOUNCES = ['bounce+1@simulator.amazonses.com', 'bounce+2@simulator.amazonses.com'];
const COMPLAINT = 'complaint+1@simulator.amazonses.com';
/** SES refuses this one (MessageRejected): its message fails, until the address is allowed again and resent. */
const REFUSED = 'refused@example.com';
const RECIPIENTS = READERS + BOUNCES.length + 1 + 1;
/** Everyone but the bounces and the refused address reaches an inbox (the complainer too). */
const DELIVERABLE = READERS + 1;
const pad = (n: number) => String(n).padStart(2, '0');

const simulator = () => (herald.deps.env.sesEndpoint ?? '').replace(/\/$/, '');

/** The demo account under a new key that sends `rate` emails a second and refuses `refused`. */
async function reportAccount(rate: number, refused: string[]): Promise<void> {
  const accounts = (await (await fetch(`${simulator()}/_simulator/accounts`)).json()) as Array<Record<string, unknown> & { accessKeyId: string }>;
  const demo = accounts.find((a) => a.accessKeyId === DEMO_ACCESS_KEY_ID);
  if (!demo) throw new Error('demo account missing from the simulator');
  const { accessKeyId: _id, failures, ...config } = demo;
  const res = await fetch(`${simulator()}/_simulator/accounts/${KEY}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...config, secretAccessKey: DEMO_SECRET_ACCESS_KEY, maxSendRate: rate, failures: { ...(failures as object), rejectRecipients: refused } }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

/** SES events trickle in: deliveries up to 4 s after the send, most readers open, many click. */
async function eventTiming(): Promise<void> {
  const res = await fetch(`${simulator()}/_simulator/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deliveryDelayMs: [800, 4000], openProbability: 0.7, clickProbability: 0.6, openDelayMs: [300, 2500], clickDelayMs: [300, 2000] }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

/** A tRPC mutation as the signed-in page makes it (its cookie, its Origin): setup the campaigns test covers by hand. */
async function call<T>(page: Page, procedure: string, input: unknown): Promise<T> {
  const res = await page.request.post(`${herald.url}/trpc/${procedure}`, { data: input, headers: { origin: herald.url } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: T } }).result.data;
}

const counter = (page: Page, key: string) => page.getByTestId('campaign-counters').locator(`[data-counter="${key}"] dd`).first();
const count = async (page: Page, key: string) => Number(((await counter(page, key).textContent()) ?? '').replace(/\D/g, ''));
const statusText = (page: Page) => page.getByTestId('campaign-status').first().textContent();
const rows = (page: Page) => page.getByTestId('recipients-table').locator('tbody tr');
const contentWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
/** The deepest elements that stick out of the window, to name what is too wide. */
const overflowing = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join('.')} “${el.textContent?.trim().slice(0, 40)}”`),
  );
const shoot = async (page: Page, name: string) => {
  if (!shots) return;
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  // The report's top at full size, to check the details.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(shots, `${name}-top.png`) });
};

async function csvLines(page: Page): Promise<string[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recipients-export').click()]);
  const file = await download.path();
  return (await readFile(file, 'utf8')).split(/\r?\n/).filter((line) => line.length > 0);
}

it('the report moves on its own while a campaign sends: counters, chart, links, recipients, export and resend', { timeout: 240_000 }, async () => {
  const { page, problems, close } = await watchedPage(browser);

  await page.goto(`${herald.url}/signup`);
  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Company name').fill('Hopper Mail');
  await page.getByLabel('Password').fill('compiling since 1952');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');

  // Five sends a second: forty recipients take about eight seconds, long enough to watch.
  await reportAccount(5, [REFUSED]);
  await eventTiming();
  await call(page, 'channels.email.connect', { accessKeyId: KEY, secretAccessKey: DEMO_SECRET_ACCESS_KEY, region: 'us-east-1', senderEmail: 'demo@herald.test' });
  await call(page, 'tenant.updateProfile', { companyName: 'Hopper Mail', postalAddress: '1 Navy Yard Road\nArlington VA 22201\nUnited States' });
  const list = await call<{ id: string }>(page, 'lists.create', { name: 'Newsletter' });
  const emails = [...Array.from({ length: READERS }, (_, i) => `reader${pad(i + 1)}@example.com`), ...BOUNCES, COMPLAINT, REFUSED];
  await Promise.all(emails.map((email, i) => call(page, 'contacts.create', { email, firstName: `Reader${pad(i + 1)}`, listIds: [list.id] })));
  const campaign = await call<{ id: string }>(page, 'campaigns.create', {
    name: 'Autumn report',
    channel: 'email',
    subject: 'The autumn collection',
    fromEmail: 'demo@herald.test',
    html: '<p>Hello {{ first_name }},</p><p><a href="https://shop.example.com/autumn">See the autumn collection</a></p>',
    listId: list.id,
  });

  // A draft has no report yet: the page says what will appear.
  await page.goto(`${herald.url}/campaigns/${campaign.id}`);
  await expect.poll(() => page.getByTestId('draft-report-note').isVisible()).toBe(true);
  expect(await page.getByTestId('campaign-report').count()).toBe(0);

  // Everything from here happens in this one document: no reload, no navigation.
  await page.evaluate(() => {
    const seen: Record<string, string[]> = { delivered: [], progress: [], connection: [] };
    Object.assign(window, { reportSeen: seen });
    const note = (key: string, value: string | null | undefined) => {
      if (value != null && seen[key]?.at(-1) !== value) seen[key]?.push(value);
    };
    new MutationObserver(() => {
      note('delivered', document.querySelector('[data-counter="delivered"] dd')?.textContent?.trim());
      note('progress', document.querySelector('[aria-label="Sending progress"]')?.getAttribute('aria-valuenow'));
      note('connection', document.querySelector('[data-testid="live-indicator"]')?.getAttribute('data-state'));
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  await page.getByRole('button', { name: 'Send…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: `Send to ${RECIPIENTS} recipients` }).click();

  // The stream connects and the numbers start to move.
  await expect.poll(() => statusText(page)).toMatch(/Sending/);
  await expect.poll(() => page.getByTestId('live-indicator').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
  expect(await page.getByTestId('live-indicator').textContent()).toMatch(/Live/);
  await page.waitForFunction(() => Number(document.querySelector('[aria-label="Sending progress"]')?.getAttribute('aria-valuenow')) > 0, undefined, { timeout: 30_000, polling: 50 });
  await expect.poll(() => count(page, 'delivered'), { timeout: 20_000 }).toBeGreaterThan(0);
  await shoot(page, 'report-sending');

  // Pause shows why, holds the send, and Resume carries on.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => page.getByTestId('paused-banner').isVisible()).toBe(true);
  expect(await page.getByTestId('paused-reason').textContent()).toMatch(/\S/);
  await expect.poll(() => statusText(page)).toMatch(/Paused/);
  await shoot(page, 'report-paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => statusText(page)).toMatch(/Sending|Sent/);
  expect(await page.getByTestId('paused-banner').count()).toBe(0);

  // Finished: every deliverable recipient delivered, some opened, one failed.
  await expect.poll(() => statusText(page), { timeout: 60_000 }).toMatch(/Sent/);
  await expect.poll(() => count(page, 'delivered'), { timeout: 30_000 }).toBe(DELIVERABLE);
  await expect.poll(() => count(page, 'opened'), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(await count(page, 'sent')).toBe(RECIPIENTS - 1);
  expect(await count(page, 'failed')).toBe(1);
  expect(await page.getByRole('progressbar', { name: 'Sending progress' }).getAttribute('aria-valuenow')).toBe('100');
  expect(await page.getByText(`${RECIPIENTS} of ${RECIPIENTS} recipients done`).isVisible()).toBe(true);
  expect(await counter(page, 'delivered').locator('xpath=following-sibling::dd').first().textContent()).toMatch(
    new RegExp(`of ${RECIPIENTS - 1} sent — \\d+(\\.\\d)? %`),
  );

  // The numbers rose in steps on the page by themselves.
  const seen = await page.evaluate(() => (window as unknown as { reportSeen: Record<string, string[]> }).reportSeen);
  const delivered = (seen.delivered ?? []).map(Number);
  expect(new Set(delivered).size, `delivered went ${delivered.join(' → ')}`).toBeGreaterThanOrEqual(3);
  expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
  expect(delivered.at(-1)).toBe(DELIVERABLE);
  expect(new Set(seen.progress).size).toBeGreaterThanOrEqual(3);

  // Bounces and complaints: counted, split, and judged against SES's levels in words.
  await expect.poll(() => count(page, 'bounced'), { timeout: 30_000 }).toBe(BOUNCES.length);
  expect(await page.getByTestId('bounce-split').textContent()).toMatch(/2 hard .* 0 soft/);
  const bounced = page.locator('[data-counter="bounced"]');
  expect(await bounced.getAttribute('data-level')).toBe('danger');
  expect(await bounced.getByText('At the pause level').isVisible()).toBe(true);
  expect(await bounced.getByText(/Herald pauses sending at this level/).isVisible()).toBe(true);
  await expect.poll(() => count(page, 'complained'), { timeout: 30_000 }).toBe(1);
  expect(await page.locator('[data-counter="complained"]').getAttribute('data-level')).toBe('danger');

  // The funnel and the chart: sends, deliveries and opens over time, drawn on a canvas.
  const funnel = page.getByTestId('campaign-funnel');
  expect(await funnel.locator('[data-step="delivered"]').textContent()).toMatch(new RegExp(`${DELIVERABLE}.*% of sent`));
  const chart = page.getByTestId('timeline-chart');
  await expect.poll(() => chart.locator('canvas').count()).toBeGreaterThan(0);
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
  const chartTable = page.locator('table:has(caption:text-matches("Activity per"))');
  const columnSum = async (column: number) =>
    (await chartTable.locator(`tbody tr td:nth-of-type(${column})`).allTextContents()).reduce((sum, n) => sum + Number(n), 0);
  await expect.poll(() => columnSum(1), { timeout: 15_000 }).toBe(RECIPIENTS - 1);
  await expect.poll(() => columnSum(2), { timeout: 15_000 }).toBe(DELIVERABLE);
  await expect.poll(() => columnSum(3), { timeout: 15_000 }).toBeGreaterThan(0);

  // Clicks on the email's link show in Top links, with the people who clicked.
  const topLink = page.getByTestId('top-links').locator('tbody tr').first();
  await expect.poll(async () => (await topLink.count()) > 0 && (await topLink.locator('td').first().textContent()), { timeout: 30_000 }).toMatch(/^\s*https:\/\/shop\.example\.com\/autumn/);
  const [clicks, people] = (await topLink.locator('td').allTextContents()).slice(1).map(Number);
  expect(people).toBeGreaterThan(0);
  expect(clicks).toBeGreaterThanOrEqual(people ?? 0);
  await shoot(page, 'report-finished');

  // The recipients table pages 25 at a time; the filter narrows it, with counts from the live numbers.
  await expect.poll(() => rows(page).count()).toBe(25);
  expect(await page.getByRole('navigation', { name: 'Pages of recipients' }).textContent()).toMatch(/Showing 1–25/);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect.poll(() => rows(page).count()).toBe(RECIPIENTS - 25);
  const filter = page.getByLabel('Status', { exact: true });
  await filter.selectOption({ label: 'Bounced (2)' });
  await expect.poll(() => rows(page).count()).toBe(2);
  expect(await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual(['bounced', 'bounced']);
  expect(await rows(page).first().textContent()).toMatch(/bounce\+\d@simulator\.amazonses\.com.*Bounced.*Bounced \(Permanent\)/);

  // Export honours the filter; without it, a header and one row per recipient.
  const bouncedCsv = await csvLines(page);
  expect(bouncedCsv[0]).toBe('email,status,last_event,last_event_at,error,sent_at');
  expect(bouncedCsv).toHaveLength(3);
  await filter.selectOption({ label: 'Failed (1)' });
  await expect.poll(() => rows(page).count()).toBe(1);
  expect(await rows(page).first().textContent()).toMatch(new RegExp(`${REFUSED}.*Failed`));
  await filter.selectOption({ label: `All recipients (${RECIPIENTS})` });
  await expect.poll(() => rows(page).count()).toBe(25);
  const allCsv = await csvLines(page);
  expect(allCsv[0]).toBe('email,status,last_event,last_event_at,error,sent_at');
  expect(allCsv).toHaveLength(RECIPIENTS + 1);
  expect(new Set(allCsv.slice(1).map((line) => line.split(',')[0]))).toEqual(new Set(emails));

  // Resend to failed: asks once with the count, says what happened, and the campaign sends again.
  // The reader is on page two meanwhile: rows stay put, and a hint offers the newer ones.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect.poll(() => rows(page).count()).toBe(RECIPIENTS - 25);
  await reportAccount(5, []);
  await page.getByRole('button', { name: 'Resend to failed (1)' }).click();
  const confirm = page.getByRole('alertdialog');
  expect(await confirm.getByText('Resend to 1 recipient whose email failed?').isVisible()).toBe(true);
  await confirm.getByRole('button', { name: 'Resend to 1 recipient' }).click();
  await expect.poll(() => page.getByText('Resending to 1 recipient.').first().isVisible()).toBe(true);
  const hint = page.getByTestId('recipients-new-activity');
  await expect.poll(() => hint.isVisible(), { timeout: 15_000 }).toBe(true);
  expect(await page.getByRole('navigation', { name: 'Pages of recipients' }).textContent()).toMatch(/Showing 26–40/);
  await hint.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(() => hint.count()).toBe(0);
  await expect.poll(() => count(page, 'delivered'), { timeout: 30_000 }).toBe(DELIVERABLE + 1);
  await expect.poll(() => statusText(page), { timeout: 30_000 }).toMatch(/Sent/);
  expect(await count(page, 'failed')).toBe(0);
  expect(await page.getByRole('button', { name: /Resend to failed/ }).isDisabled()).toBe(true);

  // A dropped connection says so, and the stream picks up again by itself where it left off.
  const indicator = page.getByTestId('live-indicator');
  const states = () => page.evaluate(() => (window as unknown as { reportSeen: Record<string, string[]> }).reportSeen.connection ?? []);
  const before = (await states()).length;
  // Every open connection of the server is cut, as a proxy or a flaky network would.
  herald.app?.server.closeAllConnections();
  await expect.poll(async () => (await states()).slice(before), { timeout: 30_000 }).toEqual(['reconnecting', 'live']);
  expect(await indicator.textContent()).toMatch(/Live/);
  expect(await count(page, 'delivered')).toBe(DELIVERABLE + 1);

  // Still the same document, loaded once.
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  expect(await page.evaluate(() => 'reportSeen' in window)).toBe(true);

  // On a phone the report fits the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => contentWidth(page)).toBeLessThanOrEqual(390).catch(async (err: Error) => {
    throw new Error(`${err.message}; too wide: ${(await overflowing(page)).join(', ')}`);
  });
  await shoot(page, 'report-phone');

  // The only error the browser reported was the stream cut on purpose above.
  const cut = (p: string) => /campaigns\.onMetrics\?/.test(p) && /net::ERR_INCOMPLETE_CHUNKED_ENCODING/.test(p);
  expect(problems.filter((p) => !cut(p))).toEqual([]);
  await close();
});
