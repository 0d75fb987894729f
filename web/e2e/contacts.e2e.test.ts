import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  // The worker role runs the import job; without it an import would wait in the queue forever.
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { WEB_DIST: webBuild }, roles: { http: true, worker: true } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

const GOOD_ROWS = 300;
const pad = (n: number) => String(n).padStart(3, '0');

/**
 * 300 good rows and three bad ones: an invalid address (file line 52), a repeat of
 * the first row (line 103) and a row without an address (line 154). Line 1 is the header.
 */
function contactsCsv(): string {
  const lines = ['email,first_name,last_name,company,plan'];
  for (let i = 1; i <= GOOD_ROWS; i++) {
    lines.push(`person${pad(i)}@example.com,First${pad(i)},Last${pad(i)},Company ${i % 7},${i % 2 ? 'pro' : 'free'}`);
    if (i === 50) lines.push('not-an-email,Bad,Address,Nowhere,free');
    if (i === 100) lines.push('person001@example.com,Again,Twice,Company 1,pro');
    if (i === 150) lines.push(',Nobody,Here,Company 0,free');
  }
  return `${lines.join('\n')}\n`;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

// A loaded machine can take seconds to answer (expect.poll gives up after 1 s by default).
const visible = (page: Page, text: string | RegExp) => expect.poll(() => page.getByText(text).first().isVisible(), { timeout: 10_000 });

async function signUp(page: Page, email: string, company: string) {
  await page.goto(`${herald.url}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Company name').fill(company);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

it('a marketer imports a CSV with a few bad rows, downloads the error report, and manages lists, profile and suppressions', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await signUp(page, 'ada@example.com', 'Lovelace Mail');

  // Contacts starts empty and says what to do.
  await page.getByRole('link', { name: 'Contacts' }).first().click();
  await page.waitForURL('**/contacts');
  await visible(page, 'No contacts yet').toBe(true);
  expect(await page.getByRole('link', { name: 'Import a CSV' }).isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Add a contact' }).isVisible()).toBe(true);

  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.waitForURL('**/contacts/import');

  // A picture is refused in plain words; nothing is imported.
  await page.getByLabel('CSV file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Upload file' }).click();
  await visible(page, /This file is not a CSV: it looks like a PNG image/).toBe(true);

  // The real file: Herald guesses the columns and shows the first rows.
  await page.getByLabel('CSV file').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(contactsCsv()) });
  await page.getByRole('button', { name: 'Upload file' }).click();
  await expect.poll(() => page.getByLabel('Email address column').inputValue()).toBe('email');
  expect(await page.getByLabel('First name column').inputValue()).toBe('first_name');
  expect(await page.getByLabel('Last name column').inputValue()).toBe('last_name');
  const preview = page.getByTestId('mapping-preview');
  const headers = (await preview.locator('thead th').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  expect(headers).toEqual(['email Email address', 'first_name First name', 'last_name Last name', 'company Field: company', 'plan Field: plan']);
  expect(await preview.getByText('person001@example.com').isVisible()).toBe(true);
  expect(await page.getByLabel('Field name for “company”').inputValue()).toBe('company');

  // Keep the company as a custom field, leave the plan out, and put everyone in a new list.
  await page.getByLabel('Import “plan” as').selectOption('skip');
  await expect.poll(() => preview.locator('thead th').last().textContent()).toMatch(/Not imported/);
  await page.getByLabel('Add the contacts to a list (optional)').selectOption({ label: 'A new list…' });
  await page.getByLabel('New list name').fill('Newsletter');
  expect(await page.getByLabel('Skip it').isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Start import' }).click();

  // A real progress bar that ends full, then the counts.
  const bar = page.getByRole('progressbar', { name: 'Import progress' });
  await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 30_000 }).toBe('100');
  const result = page.getByTestId('import-result');
  await expect.poll(() => result.isVisible()).toBe(true);
  const count = (label: string) => result.locator('dl > div').filter({ hasText: label }).locator('dd span').first().textContent();
  expect(await count('Created')).toBe('300');
  expect(await count('Updated')).toBe('0');
  expect(await count('Skipped')).toBe('0');
  expect(await count('Rows with errors')).toBe('3');
  expect(await result.getByRole('link', { name: 'Newsletter' }).isVisible()).toBe(true);

  // The error report lists each bad row with its line and reason.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download error report (CSV)' }).click()]);
  expect(download.suggestedFilename()).toBe('customers-errors.csv');
  const report = (await readFile(await download.path(), 'utf8')).trim().split(/\r?\n/);
  expect(report).toEqual(['line,email,reason', '52,not-an-email,Invalid email address: not-an-email', '103,person001@example.com,Duplicate of line 2', '154,,Missing email address']);

  // The contacts are there, and search finds one.
  await page.getByRole('link', { name: 'View contacts' }).click();
  await page.waitForURL('**/contacts');
  await visible(page, /^300 contacts\./).toBe(true);
  const table = page.getByTestId('contacts-table');
  await expect.poll(() => table.locator('tbody tr').count()).toBe(50);
  await page.getByRole('button', { name: 'Next' }).click();
  await visible(page, 'Showing 51–100').toBe(true);
  await page.getByLabel('Search contacts').fill('person150');
  await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
  expect(await table.locator('tbody tr').first().textContent()).toMatch(/person150@example\.com.*First150 Last150.*Subscribed/);
  await page.getByLabel('Search contacts').fill('First27');
  await expect.poll(() => table.locator('tbody tr').count()).toBe(10); // First270–First279
  await page.getByLabel('Search contacts').fill('person150');
  await expect.poll(() => table.locator('tbody tr').count()).toBe(1);

  // Its page shows the custom field and the list; the plan column was left out.
  await table.getByRole('link', { name: 'person150@example.com' }).click();
  await page.waitForURL('**/contacts/*');
  await expect.poll(() => page.getByLabel('First name').inputValue()).toBe('First150');
  expect(await page.locator('input[id^="attribute-name-"]').evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value))).toEqual(['company']);
  expect(await page.getByLabel('Lists this contact is in').textContent()).toMatch(/Newsletter/);
  await visible(page, 'No emails sent to this contact yet').toBe(true);

  // Lists: the import's list counts its members; a new list starts at zero and grows.
  await page.getByRole('link', { name: 'Lists' }).first().click();
  await page.waitForURL('**/lists');
  const lists = page.getByTestId('lists-table');
  const listRow = (name: string) => lists.locator('tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect.poll(() => listRow('Newsletter').textContent()).toMatch(/Newsletter\s*300/);
  await page.getByLabel('List name').fill('VIP');
  await page.getByRole('button', { name: 'Create list' }).click();
  await expect.poll(async () => (await listRow('VIP').count()) > 0 && (await listRow('VIP').textContent())).toMatch(/VIP\s*0/);
  await page.getByLabel('List name').fill('VIP');
  await page.getByRole('button', { name: 'Create list' }).click();
  await visible(page, 'You already have a list called "VIP".').toBe(true);

  await page.goBack();
  await page.waitForURL('**/contacts/*');
  await page.getByLabel('Add to list').selectOption({ label: 'VIP' });
  await page.getByRole('button', { name: 'Add to list' }).click();
  await expect.poll(() => page.getByLabel('Lists this contact is in').textContent()).toMatch(/VIP/);
  await page.getByRole('link', { name: 'VIP', exact: true }).click();
  await page.waitForURL('**/lists/*');
  await visible(page, '1 contact').toBe(true);
  await expect.poll(() => page.getByTestId('contacts-table').getByRole('link', { name: 'person150@example.com' }).isVisible()).toBe(true);
  // Taking someone out of a list keeps the contact.
  await page.getByRole('button', { name: 'Remove person150@example.com from this list' }).click();
  await visible(page, 'No contacts in this list yet').toBe(true);
  await visible(page, '0 contacts').toBe(true);
  await page.getByRole('button', { name: 'Undo' }).click();
  await visible(page, '1 contact').toBe(true);

  // Sender profile: incomplete until the postal address is in, then the dashboard ticks it.
  await page.goto(`${herald.url}/settings/profile`);
  const profileStatus = page.getByTestId('profile-status');
  await expect.poll(() => profileStatus.textContent()).toMatch(/Incomplete/);
  expect(await page.getByLabel('Company name').inputValue()).toBe('Lovelace Mail');
  await page.getByLabel('Postal address').fill('12 St James’s Square\nLondon SW1Y 4LB\nUnited Kingdom');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect.poll(() => profileStatus.textContent()).toMatch(/Complete/);
  await page.reload();
  await expect.poll(() => page.getByLabel('Postal address').inputValue()).toBe('12 St James’s Square\nLondon SW1Y 4LB\nUnited Kingdom');
  await page.getByRole('link', { name: 'Dashboard' }).first().click();
  await page.waitForURL((url) => url.pathname === '/');
  await visible(page, '2 of 4 done').toBe(true);
  await visible(page, 'View sender profile').toBe(true);
  await visible(page, /300 contacts so far/).toBe(true);

  // Suppressions: empty, add one by hand, see its reason, remove it after a warning.
  await page.getByRole('link', { name: 'Suppressions' }).first().click();
  await page.waitForURL('**/suppressions');
  await visible(page, 'No suppressed addresses').toBe(true);
  await page.getByLabel('Email address').fill('Person007@Example.com');
  await page.getByRole('button', { name: 'Add to suppressions' }).click();
  const suppressions = page.getByTestId('suppressions-table');
  await expect.poll(async () => (await suppressions.count()) > 0 && (await suppressions.locator('tbody tr').first().textContent())).toMatch(
    /person007@example\.com.*Added by your team/,
  );
  await visible(page, /^1 suppressed address\./).toBe(true);
  await page.getByRole('button', { name: 'Remove person007@example.com' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect.poll(() => dialog.getByText(/able to email this address again/).isVisible()).toBe(true);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await visible(page, 'No suppressed addresses').toBe(true);

  // A suppression list from another tool: good addresses go in, the rest are named by line.
  const oldList = 'Email,Reason\nbounced@old-tool.test,bounce\nnope,typo\nangry@old-tool.test,complaint\n';
  await page.getByLabel('CSV file of addresses').setInputFiles({ name: 'old-suppressions.csv', mimeType: 'text/csv', buffer: Buffer.from(oldList) });
  await page.getByRole('button', { name: 'Upload CSV' }).click();
  await visible(page, 'Added 2 addresses.').toBe(true);
  await visible(page, 'line 3: “nope”').toBe(true);
  await expect.poll(async () => (await suppressions.count()) > 0 && (await suppressions.locator('tbody tr').count())).toBe(2);
  await visible(page, /^2 suppressed addresses\./).toBe(true);

  // The picture's refusal (400) and the duplicate list name (409) were the only error answers.
  const expected = [/HTTP 400: POST .*\/api\/contacts\/imports\?fileName=logo\.png/, /HTTP 409: POST .*lists\.create/];
  const isExpected = (p: string) => /\/api\/contacts\/imports\?fileName=logo\.png|lists\.create/.test(p);
  expect(problems.filter((p) => !isExpected(p))).toEqual([]);
  for (const answer of expected) expect(problems.some((p) => answer.test(p))).toBe(true);
  await close();
});

it('a contact can be added, edited, unsubscribed, kept from resubscribing while suppressed, and deleted', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await signUp(page, 'grace@example.com', 'Hopper & Co');
  await page.goto(`${herald.url}/contacts`);
  await page.getByRole('button', { name: 'Add contact' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email address').fill('not an address');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await expect.poll(() => dialog.getByText('Enter a valid email address, like name@example.com.').isVisible()).toBe(true);
  await dialog.getByLabel('Email address').fill('Alan@Example.com');
  await dialog.getByLabel('First name (optional)').fill('Alan');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  const table = page.getByTestId('contacts-table');
  await expect.poll(async () => (await table.count()) > 0 && (await table.locator('tbody tr').first().textContent())).toMatch(/alan@example\.com.*Alan.*Subscribed/);
  await visible(page, /^1 contact\./).toBe(true);

  // The same address again is refused beside the field.
  await page.getByRole('button', { name: 'Add contact' }).click();
  await dialog.getByLabel('Email address').fill('alan@example.com');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await expect.poll(() => dialog.getByText('A contact with the email alan@example.com already exists.').isVisible()).toBe(true);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await table.getByRole('link', { name: 'alan@example.com' }).click();
  await page.waitForURL('**/contacts/*');
  await expect.poll(() => page.getByLabel('First name').inputValue()).toBe('Alan');
  await page.getByLabel('Last name').fill('Turing');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await visible(page, 'Alan Turing · Added').toBe(true);

  // Custom fields: a bad name is caught, a good one saved.
  await page.getByRole('button', { name: 'Add field' }).click();
  await page.locator('input[id^="attribute-name-"]').last().fill('Company Size');
  await page.locator('input[id^="attribute-value-"]').last().fill('50');
  await page.getByRole('button', { name: 'Save custom fields' }).click();
  await visible(page, /Use lower-case letters, digits and _/).toBe(true);
  await page.locator('input[id^="attribute-name-"]').last().fill('company_size');
  await page.getByRole('button', { name: 'Save custom fields' }).click();
  await visible(page, 'Custom fields saved.').toBe(true);
  await page.reload();
  await expect.poll(() => page.locator('input[id^="attribute-value-"]').first().inputValue()).toBe('50');

  // Unsubscribe, suppress, and resubscribing is refused with the server's reason.
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Resubscribe' }).isVisible()).toBe(true);
  await page.goto(`${herald.url}/suppressions`);
  await page.getByLabel('Email address').fill('alan@example.com');
  await page.getByRole('button', { name: 'Add to suppressions' }).click();
  await expect.poll(async () => (await page.getByTestId('suppressions-table').count()) > 0).toBe(true);
  await page.goBack();
  await page.waitForURL('**/contacts/*');
  await visible(page, /This address is on your suppression list: added by your team/).toBe(true);
  await page.getByRole('button', { name: 'Resubscribe' }).click();
  await visible(page, /cannot be resubscribed here: it is suppressed \(manual\)/).toBe(true);

  // Delete asks first, then the list is empty again.
  await page.getByRole('button', { name: 'Delete contact' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect.poll(() => confirm.getByText(/stays on your suppression list/).isVisible()).toBe(true);
  await confirm.getByRole('button', { name: 'Delete contact' }).click();
  await page.waitForURL((url) => url.pathname === '/contacts');
  await visible(page, 'No contacts yet').toBe(true);

  // The duplicate address (409) and the resubscribe refusal (412) were the only error answers.
  expect(problems.filter((p) => !/contacts\.create|contacts\.update/.test(p))).toEqual([]);
  expect(problems.some((p) => /HTTP 409: POST .*contacts\.create/.test(p))).toBe(true);
  expect(problems.some((p) => /HTTP 412: POST .*contacts\.update/.test(p))).toBe(true);
  await close();
});

it('a list page imports straight into that list, and "Update it" fills in contacts that already exist', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await signUp(page, 'linus@example.com', 'Torvalds Tools');
  await page.goto(`${herald.url}/lists`);
  await visible(page, 'No lists yet').toBe(true);
  await page.getByLabel('List name').fill('Customers');
  await page.getByRole('button', { name: 'Create list' }).click();
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.waitForURL('**/lists/*');
  await visible(page, 'No contacts in this list yet').toBe(true);

  // "Add contact" on a list's page puts the new contact in that list.
  await page.getByRole('button', { name: 'Add contact' }).first().click();
  const dialog = page.getByRole('dialog');
  await expect.poll(() => dialog.getByLabel('Add to list (optional)').locator('option:checked').textContent()).toBe('Customers');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-contact-email');
  await dialog.getByLabel('Email address').fill('olga@example.com');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await visible(page, '1 contact').toBe(true);

  await page.getByRole('link', { name: 'Import CSV into this list' }).first().click();
  await page.waitForURL('**/contacts/import?listId=*');
  const csv = 'email,first_name,city\nolga@example.com,Olga,Oslo\nned@example.com,Ned,Nice\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Upload file' }).click();
  const list = page.getByLabel('Add the contacts to a list (optional)');
  await expect.poll(() => list.locator('option:checked').textContent()).toBe('Customers (1)');
  await page.getByLabel('Update it').check();
  await page.getByRole('button', { name: 'Start import' }).click();
  const result = page.getByTestId('import-result');
  await expect.poll(() => result.isVisible(), { timeout: 30_000 }).toBe(true);
  const count = (label: string) => result.locator('dl > div').filter({ hasText: label }).locator('dd span').first().textContent();
  expect(await count('Created')).toBe('1');
  expect(await count('Updated')).toBe('1');
  expect(await count('Rows with errors')).toBe('0');
  expect(await result.getByRole('link', { name: 'Download error report (CSV)' }).count()).toBe(0);

  // The import shows under Recent imports, and its link brings the result back.
  await page.getByRole('button', { name: 'Import another file' }).click();
  const recent = page.getByTestId('recent-imports');
  await expect.poll(async () => (await recent.count()) > 0 && (await recent.locator('tbody tr').first().textContent())).toMatch(/more\.csv.*Done.*1 created · 1 updated/);
  await recent.getByRole('link', { name: 'more.csv' }).click();
  await expect.poll(() => page.getByTestId('import-result').isVisible()).toBe(true);

  await result.getByRole('link', { name: 'Customers' }).click();
  await page.waitForURL('**/lists/*');
  await visible(page, '2 contacts').toBe(true);
  const table = page.getByTestId('contacts-table');
  await expect.poll(async () => (await table.count()) > 0 && (await table.locator('tbody tr').first().textContent())).toMatch(/ned@example\.com.*Ned/);
  expect(await table.locator('tbody tr').nth(1).textContent()).toMatch(/olga@example\.com.*Olga/);

  expect(problems).toEqual([]);
  await close();
});

it('an address that names no contact, list or campaign says so and leads back', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await signUp(page, 'missing@example.com', 'Missing Records Ltd');
  const unknown = '0b5e1c52-7a43-4f39-9d2e-3f1f8c0d2a11';
  const pages = [
    { path: '/contacts/not-an-id', title: "This contact doesn't exist", back: 'Back to Contacts', to: '/contacts' },
    { path: `/lists/${unknown}`, title: "This list doesn't exist", back: 'Back to Lists', to: '/lists' },
    { path: `/campaigns/${unknown}`, title: "This campaign doesn't exist", back: 'Back to Campaigns', to: '/campaigns' },
    { path: `/campaigns/${unknown}/edit`, title: "This campaign doesn't exist", back: 'Back to Campaigns', to: '/campaigns' },
  ];
  for (const p of pages) {
    await page.goto(`${herald.url}${p.path}`);
    await expect.poll(() => page.getByRole('heading', { name: p.title }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole('link', { name: p.back }).click();
    await page.waitForURL((url) => url.pathname === p.to);
  }
  // Only the lookups were refused (not-an-id is a 400, the unknown ids 404s); the browser logs each too.
  const refusedLookup = /(HTTP (400|404): GET |status of (400|404) .*@ ).*\/trpc\/(contacts|lists|campaigns)\.get/;
  expect(problems.filter((p) => !refusedLookup.test(p))).toEqual([]);
  expect(problems.filter((p) => /HTTP 404/.test(p)).length).toBeGreaterThanOrEqual(3);
  await close();
});
