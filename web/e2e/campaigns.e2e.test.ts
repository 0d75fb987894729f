import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  // The worker role runs the import and the send; the simulator plays Amazon SES.
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on' }, roles: { http: true, worker: true } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

const READERS = 30;
const SLOW_KEY = 'HERALDSLOWDEMO000001';
const pad = (n: number) => String(n).padStart(2, '0');

function readersCsv(): string {
  const lines = ['email,first_name,last_name'];
  for (let i = 1; i <= READERS; i++) lines.push(`reader${pad(i)}@example.com,Reader${pad(i)},Lovelace`);
  return `${lines.join('\n')}\n`;
}

/** A copy of the simulator's demo account under a new key that sends at most `rate` emails a second, so a send takes a while. */
async function slowDemoAccount(accessKeyId: string, rate: number): Promise<void> {
  const sim = (herald.deps.env.sesEndpoint ?? '').replace(/\/$/, '');
  const accounts = (await (await fetch(`${sim}/_simulator/accounts`)).json()) as Array<Record<string, unknown> & { accessKeyId: string }>;
  const demo = accounts.find((a) => a.accessKeyId === DEMO_ACCESS_KEY_ID);
  if (!demo) throw new Error('demo account missing from the simulator');
  const { accessKeyId: _id, ...config } = demo;
  const res = await fetch(`${sim}/_simulator/accounts/${accessKeyId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...config, secretAccessKey: DEMO_SECRET_ACCESS_KEY, maxSendRate: rate }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

// A loaded machine can take seconds to answer (expect.poll gives up after 1 s by default).
const visible = (page: Page, text: string | RegExp) => expect.poll(() => page.getByText(text).first().isVisible(), { timeout: 10_000 });

/** The width of the page's content; more than the window means sideways scrolling. */
const contentWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

it('a marketer writes a campaign, previews it with a real contact, sends it and watches it finish live', { timeout: 180_000 }, async () => {
  const { page, problems, close } = await watchedPage(browser);

  await page.goto(`${herald.url}/signup`);
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Company name').fill('Lovelace Mail');
  await page.getByLabel('Password').fill('analytical engines');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');

  // No SES yet: the empty Campaigns page explains what a campaign is and leads to the connection.
  await page.getByRole('link', { name: 'Campaigns' }).first().click();
  await page.waitForURL('**/campaigns');
  await visible(page, 'No campaigns yet').toBe(true);
  await visible(page, /A campaign is one email sent to one of your lists/).toBe(true);
  await page.getByRole('link', { name: 'Connect Amazon SES' }).click();
  await page.waitForURL('**/settings/channels');

  // SES sends 5 a second for this account: thirty readers take about six seconds, long enough to watch.
  await slowDemoAccount(SLOW_KEY, 5);
  await page.getByLabel('AWS Access Key ID').fill(SLOW_KEY);
  await page.getByLabel('Secret Access Key').fill(DEMO_SECRET_ACCESS_KEY);
  await page.getByLabel('Verified sender').fill('demo@herald.test');
  await page.getByRole('button', { name: 'Connect to SES' }).click();
  await expect.poll(async () => (await page.getByTestId('ses-status').locator(':scope > span').first().textContent())?.trim()).toBe('Connected');

  // The footer needs a postal address before anything can be sent.
  await page.goto(`${herald.url}/settings/profile`);
  await page.getByLabel('Postal address').fill('12 St James’s Square\nLondon SW1Y 4LB\nUnited Kingdom');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect.poll(() => page.getByTestId('profile-status').textContent()).toMatch(/Complete/);

  // Thirty readers, imported into a new list.
  await page.goto(`${herald.url}/contacts/import`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'readers.csv', mimeType: 'text/csv', buffer: Buffer.from(readersCsv()) });
  await page.getByRole('button', { name: 'Upload file' }).click();
  await expect.poll(() => page.getByLabel('Email address column').inputValue()).toBe('email');
  await page.getByLabel('Add the contacts to a list (optional)').selectOption({ label: 'A new list…' });
  await page.getByLabel('New list name').fill('Readers');
  await page.getByRole('button', { name: 'Start import' }).click();
  await expect.poll(() => page.getByTestId('import-result').isVisible(), { timeout: 30_000 }).toBe(true);

  // With SES connected, the empty page offers the first campaign.
  await page.goto(`${herald.url}/campaigns`);
  await visible(page, /campaigns will go out as demo@herald\.test/).toBe(true);
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.waitForURL('**/campaigns/new');

  // Every field has a visible label; the sender defaults to the connected one, chosen from SES's verified senders.
  for (const label of ['Campaign name', 'Audience', 'From email', 'From name (optional)', 'Reply-to (optional)', 'Subject', 'HTML body']) {
    await expect.poll(() => page.getByLabel(label, { exact: true }).isVisible()).toBe(true);
  }
  const from = page.getByLabel('From email', { exact: true });
  await expect.poll(() => from.evaluate((el) => el.tagName)).toBe('SELECT');
  await expect.poll(() => from.inputValue()).toBe('demo@herald.test');
  expect(await page.getByLabel('From name (optional)').inputValue()).toBe('Lovelace Mail');
  expect(await page.getByLabel('Generate from HTML').isChecked()).toBe(true);
  await visible(page, 'Save the draft to see it here').toBe(true);

  // Missing fields are named beside them before anything is sent to the server.
  await page.getByRole('button', { name: 'Save draft' }).click();
  await visible(page, 'Enter a campaign name.').toBe(true);
  await visible(page, 'Choose the list or segment to send to.').toBe(true);

  await page.getByLabel('Campaign name').fill('Spring news');
  await expect.poll(() => page.getByLabel('Audience').locator('option').allTextContents()).toContain(`Readers (${READERS})`);
  await page.getByLabel('Audience').selectOption({ label: `Readers (${READERS})` });
  await page.getByLabel('Subject').fill('{{ first_name }}, the spring news is here');

  // A template that doesn't parse is refused by the server, with the reason under the HTML field.
  const htmlBody = page.getByLabel('HTML body');
  await htmlBody.fill('<p>Hello {% if first_name %}{{ first_name }}</p>');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect.poll(() => page.locator('#campaign-html-error').textContent()).toMatch(/The HTML body has a template error/);
  expect(page.url()).toMatch(/\/campaigns\/new$/);

  await htmlBody.fill('<h1>Hello {{ first_name | default: "there" }},</h1>\n<p>Our spring collection is in.</p>');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL('**/campaigns/*/edit');
  await visible(page, 'All changes saved').toBe(true);

  // The preview renders the email for a real reader of the list, named above it.
  const sample = page.getByTestId('preview-contact');
  await expect.poll(() => sample.textContent(), { timeout: 15_000 }).toMatch(/As Reader\d\d Lovelace \(reader\d\d@example\.com\)/);
  const first = /Reader(\d\d)/.exec((await sample.textContent()) ?? '')?.[0] ?? 'missing';
  expect(await page.getByTestId('preview-subject').textContent()).toBe(`${first}, the spring news is here`);
  const email = page.frameLocator('iframe[title="HTML version of the email"]');
  await expect.poll(() => email.getByRole('heading', { name: `Hello ${first},` }).isVisible()).toBe(true);
  await expect.poll(() => email.getByText('12 St James’s Square').first().isVisible()).toBe(true);
  await page.getByRole('tab', { name: 'Plain text' }).click();
  await expect.poll(() => page.getByTestId('preview-text').textContent()).toMatch(new RegExp(`Hello ${first},`, 'i'));

  // A test goes to one address only.
  await page.getByRole('button', { name: 'Send test…' }).click();
  const testDialog = page.getByRole('dialog');
  await expect.poll(() => testDialog.getByLabel('Send the test to').inputValue()).toBe('ada@example.com');
  await testDialog.getByRole('button', { name: 'Send test' }).click();
  await visible(page, 'Test sent to ada@example.com').toBe(true);

  // Send… asks once, saying how many people get it, from whom, and how long it takes.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  await page.getByRole('button', { name: 'Send…' }).click();
  const confirm = page.getByRole('dialog');
  await expect.poll(() => confirm.getByTestId('send-recipients').textContent()).toBe(`${READERS} recipients`);
  expect(await confirm.getByText('demo@herald.test').isVisible()).toBe(true);
  // The subject as the first reader sees it, the template one click away.
  const seen = confirm.getByTestId('subject-as-seen');
  await expect.poll(() => seen.textContent()).toMatch(/^Reader\d\d, the spring news is here$/);
  await confirm.getByRole('button', { name: 'Show the template' }).click();
  expect(await seen.textContent()).toBe('{{ first_name }}, the spring news is here');
  await confirm.getByRole('button', { name: 'Show as a recipient sees it' }).click();
  await expect.poll(() => confirm.getByTestId('send-duration').textContent()).toMatch(/Takes less than a minute/);
  expect(await confirm.getByText('5 emails per second').isVisible()).toBe(true);
  await confirm.getByRole('button', { name: `Send to ${READERS} recipients` }).click();
  await page.waitForURL((url) => /^\/campaigns\/[^/]+$/.test(url.pathname));

  // The campaign page fills up on its own: the bar moves while it sends, then it is full and Sent, with no reload.
  const bar = page.getByRole('progressbar', { name: 'Sending progress' });
  await expect.poll(() => page.getByTestId('campaign-status').first().textContent()).toMatch(/Sending/);
  expect(await page.getByRole('button', { name: 'Pause' }).isVisible()).toBe(true);
  await page.waitForFunction(
    () => {
      const now = Number(document.querySelector('[aria-label="Sending progress"]')?.getAttribute('aria-valuenow'));
      return now > 0 && now < 100;
    },
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100');
  await expect.poll(() => page.getByTestId('campaign-status').first().textContent(), { timeout: 30_000 }).toMatch(/Sent/);
  await visible(page, `${READERS} of ${READERS} recipients done`).toBe(true);
  await expect.poll(() => page.getByTestId('campaign-counters').locator('[data-counter="sent"] dd').first().textContent()).toBe(String(READERS));
  // SES events arrive through the simulator's signed SNS notifications: every reader's delivery, and some opens.
  const counter = (key: string) => page.getByTestId('campaign-counters').locator(`[data-counter="${key}"] dd`).first();
  await expect.poll(() => counter('delivered').textContent(), { timeout: 30_000 }).toBe(String(READERS));
  await expect.poll(async () => Number(await counter('opened').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Send…' }).count()).toBe(0);
  // Its details show the subject as a reader saw it.
  await expect.poll(() => page.getByTestId('subject-as-seen').first().textContent()).toMatch(/^Reader\d\d, the spring news is here$/);
  const campaignUrl = page.url();

  // The list shows it sent, with its audience and a full progress count.
  await page.getByRole('link', { name: 'Campaigns' }).first().click();
  await page.waitForURL((url) => url.pathname === '/campaigns');
  const row = page.getByTestId('campaigns-table').locator('tbody tr').filter({ hasText: 'Spring news' });
  await expect.poll(() => row.textContent()).toMatch(/Spring news.*Sent.*Readers.*30 \/ 30/);

  // Each reader's page lists the email, linking back to the campaign.
  await page.goto(`${herald.url}/contacts`);
  await page.getByLabel('Search contacts').fill('reader07@');
  await page.getByTestId('contacts-table').getByRole('link', { name: 'reader07@example.com' }).click();
  await page.waitForURL('**/contacts/*');
  const messages = page.getByTestId('contact-messages');
  await expect.poll(async () => (await messages.count()) > 0 && (await messages.locator('tbody tr').first().textContent())).toMatch(/Spring news.*(Sent|Delivered)/);
  await messages.getByRole('link', { name: 'Spring news' }).click();
  await page.waitForURL(campaignUrl);

  // Settings tell the same story: the subscription Herald confirmed by itself, events arriving, every
  // send counted (the campaign and its test), no event left unmatched, nothing said to be untracked.
  await page.goto(`${herald.url}/settings/channels`);
  await expect.poll(async () => (await page.getByTestId('subscription-state').textContent())?.replace(/\s+/g, ' ')).toMatch(/Confirmed .* herald-ses-events \(us-east-1\)/);
  await expect.poll(() => page.getByTestId('events-verdict').textContent()).toMatch(/Working: .* events? in the last 24 h/);
  await expect.poll(() => page.getByTestId('sent-last-24h').textContent()).toBe(String(READERS + 1));
  await visible(page, `${READERS + 1} of them by Herald`).toBe(true);
  const settingsText = (await page.locator('main').textContent()) ?? '';
  for (const contradiction of [/aren't tracked/, /can't deliver/i, /can't reach/i, /other senders' emails/, /didn't send/]) expect(settingsText).not.toMatch(contradiction);
  await page.goto(campaignUrl);

  // On a phone the campaign page and the list still fit the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('100');
  expect(await contentWidth(page)).toBeLessThanOrEqual(390);
  await page.goto(`${herald.url}/campaigns`);
  await expect.poll(() => row.isVisible()).toBe(true);
  expect(await contentWidth(page)).toBeLessThanOrEqual(390);

  // The broken template's refusal (400) was the only error answer.
  expect(problems.filter((p) => !/campaigns\.create/.test(p))).toEqual([]);
  expect(problems.some((p) => /HTTP 400: POST .*campaigns\.create/.test(p))).toBe(true);
  await close();
});
