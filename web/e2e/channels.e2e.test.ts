import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, NO_QUOTA_ACCESS_KEY_ID, startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

// The in-process SES simulator's preset keys (server/src/dev/README.md).
const DEMO_KEY = DEMO_ACCESS_KEY_ID;
const NO_QUOTA_KEY = NO_QUOTA_ACCESS_KEY_ID;
const UNKNOWN_KEY = 'HERALDWRONGKEY000001';
const SECRET = DEMO_SECRET_ACCESS_KEY;

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on' } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

/** The simulator Herald started in-process; its control endpoints change what "AWS" answers. */
function simulatorUrl(): string {
  const url = herald.deps.env.sesEndpoint;
  if (!url) throw new Error('SES simulator is not running');
  return url.replace(/\/$/, '');
}

/** Adds an identity to the demo account, as verifying an address in the SES console would. */
async function addDemoIdentity(identity: string, status: 'Success' | 'Pending'): Promise<void> {
  const accounts = (await (await fetch(`${simulatorUrl()}/_simulator/accounts`)).json()) as Array<Record<string, unknown> & { accessKeyId: string; identities: unknown[] }>;
  const demo = accounts.find((a) => a.accessKeyId === DEMO_KEY);
  if (!demo) throw new Error('demo account missing from the simulator');
  const { accessKeyId: _id, ...config } = demo;
  const res = await fetch(`${simulatorUrl()}/_simulator/accounts/${DEMO_KEY}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...config, secretAccessKey: SECRET, identities: [...demo.identities, { identity, status }] }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

// A loaded machine can take seconds to answer (expect.poll gives up after 1 s by default).
const visible = (page: Page, text: string | RegExp) => expect.poll(() => page.getByText(text).first().isVisible(), { timeout: 10_000 });
/** The word the status box leads with: "Connected", "Not connected", "Connection failed" or "Connecting…". */
const status = (page: Page) => expect.poll(async () => (await page.getByTestId('ses-status').locator(':scope > span').first().textContent())?.trim());

it('a marketer connects Amazon SES, sees failures in plain words, refreshes identities and disconnects', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await page.goto(`${herald.url}/signup`);
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Company name').fill('Lovelace Mail');
  await page.getByLabel('Password').fill('analytical engines');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');

  // The dashboard says SES is missing and leads to Settings → Channels.
  await visible(page, 'Amazon SES not connected').toBe(true);
  await page.getByRole('link', { name: 'Connect Amazon SES' }).click();
  await page.waitForURL('**/settings/channels');
  await status(page).toBe('Not connected');

  // Every field has a visible label.
  for (const label of ['AWS Access Key ID', 'Secret Access Key', 'Region', 'Verified sender', 'Configuration set (optional)']) {
    await expect.poll(() => page.getByLabel(label, { exact: true }).isVisible()).toBe(true);
  }
  expect(await page.getByLabel('Region', { exact: true }).inputValue()).toBe('us-east-1');

  // A key AWS doesn't know: red status with AWS's reason, nothing saved.
  await page.getByLabel('AWS Access Key ID').fill(UNKNOWN_KEY);
  await page.getByLabel('Secret Access Key').fill(SECRET);
  await page.getByLabel('Verified sender').fill('demo@herald.test');
  await page.getByRole('button', { name: 'Connect to SES' }).click();
  await status(page).toBe('Connection failed');
  await visible(page, /AWS does not recognise this Access Key ID.*InvalidClientTokenId/).toBe(true);
  await visible(page, 'Nothing was saved. Fix the problem below and try again.').toBe(true);

  // The right key: "Check keys" turns the sender into a list of the account's verified addresses.
  await page.getByLabel('AWS Access Key ID').fill(DEMO_KEY);
  await page.getByRole('button', { name: 'Check keys' }).click();
  await visible(page, /Keys work\. AWS account 111122223333/).toBe(true);
  const sender = page.getByLabel('Verified sender');
  await expect.poll(() => sender.evaluate((el) => el.tagName)).toBe('SELECT');
  const options = await sender.locator('option').allTextContents();
  expect(options).toContain('demo@herald.test');
  expect(options).not.toContain('pending@herald.test');
  await visible(page, /Any address at herald\.test works too/).toBe(true);
  // An address at the verified domain is typed; the list is one click away.
  await sender.selectOption({ label: 'Type another address…' });
  await expect.poll(() => sender.evaluate((el) => `${el.tagName} ${el === document.activeElement}`)).toBe('INPUT true');
  await visible(page, /Any address at herald\.test works, because that domain is verified/).toBe(true);
  await page.getByRole('button', { name: 'Choose from your verified senders' }).click();
  await expect.poll(() => sender.evaluate((el) => el.tagName)).toBe('SELECT');
  expect(await sender.inputValue()).toBe('');
  await sender.selectOption('demo@herald.test');

  await page.getByRole('button', { name: 'Connect to SES' }).click();
  await status(page).toBe('Connected');
  await visible(page, /Herald sends as demo@herald\.test through AWS account 111122223333/).toBe(true);
  await visible(page, '••••0001').toBe(true);
  await visible(page, 'emails per second').toBe(true);
  // The form is gone: the secret is nowhere on the page any more.
  expect(await page.getByLabel('Secret Access Key').count()).toBe(0);
  expect(await page.content()).not.toContain(SECRET);

  const identities = page.getByTestId('identities');
  const row = (identity: string) => identities.getByRole('row').filter({ hasText: identity });
  await expect.poll(() => row('demo@herald.test').textContent()).toMatch(/Verified/);
  expect(await row('pending@herald.test').textContent()).toMatch(/Pending/);
  expect(await row('herald.test').first().textContent()).toMatch(/Domain/);

  // Refresh asks SES again: an identity verified meanwhile shows up.
  await addDemoIdentity('news@lovelace.test', 'Pending');
  expect(await row('news@lovelace.test').count()).toBe(0);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(() => row('news@lovelace.test').count()).toBe(1);
  expect(await row('news@lovelace.test').textContent()).toMatch(/Pending/);

  // It survives a reload, and the dashboard ticks the first step.
  await page.reload();
  await status(page).toBe('Connected');
  await page.getByRole('link', { name: 'Dashboard' }).first().click();
  await page.waitForURL((url) => url.pathname === '/');
  await visible(page, /Connected: Herald sends as demo@herald\.test/).toBe(true);
  await visible(page, '1 of 4 done').toBe(true);
  await page.goto(`${herald.url}/settings/channels`);

  // New keys that fail leave the working connection alone, and the page says so.
  await page.getByRole('button', { name: 'Change keys' }).click();
  await page.getByLabel('AWS Access Key ID').fill(NO_QUOTA_KEY);
  await page.getByLabel('Secret Access Key').fill(SECRET);
  await expect.poll(() => page.getByLabel('Verified sender').inputValue()).toBe('demo@herald.test');
  await page.getByRole('button', { name: 'Connect to SES' }).click();
  await status(page).toBe('Connection failed');
  await visible(page, /not allowed to call ses:GetSendQuota/).toBe(true);
  await visible(page, /Your existing connection is unchanged: Herald still sends as demo@herald\.test/).toBe(true);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await status(page).toBe('Connected');

  // Disconnect asks first, saying what happens, then deletes the keys.
  await page.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect.poll(() => dialog.getByText(/stop being able to send email/).isVisible()).toBe(true);
  await expect.poll(() => dialog.getByText(/deleted from Herald/).isVisible()).toBe(true);
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await status(page).toBe('Not connected');
  await expect.poll(() => page.getByText('••••0001').count()).toBe(0);
  expect(await page.getByTestId('identities').count()).toBe(0);
  await page.reload();
  await status(page).toBe('Not connected');
  expect(await page.getByText('••••0001').count()).toBe(0);

  // The failed connects answered 400 on purpose; nothing else may have gone wrong.
  expect(problems.filter((p) => !/channels\.email\.connect/.test(p))).toEqual([]);
  expect(problems.some((p) => /HTTP 400: POST .*channels\.email\.connect/.test(p))).toBe(true);
  await close();
});
