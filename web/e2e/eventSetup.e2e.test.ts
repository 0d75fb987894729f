import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';
import { signUpAndConnect } from './signUp.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  // The worker role processes the SES events the simulator publishes through what setup creates.
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on' }, roles: { http: true, worker: true } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

const visible = (page: Page, text: string | RegExp, timeout = 10_000) => expect.poll(() => page.getByText(text).first().isVisible(), { timeout });
const verdict = (page: Page) => expect.poll(async () => (await page.getByTestId('events-verdict').locator(':scope > span').first().textContent())?.trim(), { timeout: 15_000 });

const signUp = (page: Page) => signUpAndConnect(page, herald.url, { email: 'grace@example.com', company: 'Hopper Mail', password: 'compilers compile' });

/** An SNS message claiming the demo account's topic whose certificate Herald must not trust. */
function forgedNotification() {
  return {
    Type: 'Notification',
    MessageId: 'f0f0f0f0-0000-4000-8000-000000000001',
    TopicArn: 'arn:aws:sns:us-east-1:111122223333:herald-events',
    Message: '{"eventType":"Delivery"}',
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    Signature: 'Zm9yZ2Vk',
    SigningCertURL: 'https://sns.us-east-1.evil.example/SimpleNotificationService-forged.pem',
  };
}

it('a tenant sets up event tracking in one click, proves it with test emails and adds a domain', { timeout: 240_000 }, async () => {
  const { page, problems, close } = await watchedPage(browser);
  await signUp(page);

  // Connected, nothing sent, nothing set up: the panel says so and offers the one click.
  await verdict(page).toBe('Not set up');
  await visible(page, /Herald cannot see deliveries, bounces, complaints, opens or clicks yet/).toBe(true);

  await page.getByRole('button', { name: 'Set up event tracking' }).click();
  const outcome = page.getByTestId('setup-outcome');
  await expect.poll(() => outcome.textContent(), { timeout: 15_000 }).toMatch(/SES configuration set: created/);
  for (const step of ['SNS topic: created', 'SES event destination: created', 'Webhook subscription: created']) expect(await outcome.textContent()).toContain(step);
  // SNS's confirmation reaches the webhook, which confirms it: the panel follows on its own.
  await expect.poll(() => page.getByTestId('subscription-state').textContent(), { timeout: 15_000 }).toMatch(/Confirmed .*herald-events \(us-east-1\)/);
  await verdict(page).toBe('Ready');
  await expect.poll(() => page.getByRole('button', { name: 'Run setup again' }).isVisible()).toBe(true);

  // The three simulator addresses answer with their events; the panel turns to working.
  await page.getByRole('button', { name: 'Send test emails' }).click();
  const tests = page.getByTestId('test-emails');
  const arrived = () => tests.getByText('Events arrived').count();
  // SES reports within seconds; a busy machine can take much longer to carry three emails' events through.
  await expect.poll(arrived, { timeout: 90_000 }).toBe(3);
  for (const [to, events] of [['success@', ['Send', 'Delivery']], ['bounce@', ['Bounce']], ['complaint@', ['Complaint']]] as const) {
    const row = tests.locator(':scope > li').filter({ hasText: to });
    for (const event of events) await expect.poll(() => row.getByRole('list', { name: 'Events received' }).textContent()).toContain(event);
  }
  await verdict(page).toBe('Working');
  // The 24-hour usage follows without a reload.
  await expect.poll(() => page.getByTestId('sent-last-24h').textContent()).toBe('3');

  // A forged delivery changes nothing and is counted by its reason.
  const forged = await fetch(`${herald.url}/webhooks/email`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-amz-sns-message-type': 'Notification' }, body: JSON.stringify(forgedNotification()) });
  expect(forged.status).toBe(403);

  // Reopened, the page tells one story: working, the sends counted, no orphans, nothing "untracked".
  await page.waitForTimeout(1_200); // the refusal counter flushes every second
  await page.reload();
  await verdict(page).toBe('Working');
  await expect.poll(() => page.getByTestId('refusals').textContent()).toMatch(/Untrusted certificate or SubscribeURL: 1/);
  await expect.poll(() => page.getByTestId('sent-last-24h').textContent()).toBe('3');
  await visible(page, '3 of them by Herald').toBe(true);
  const text = (await page.locator('main').textContent()) ?? '';
  for (const contradiction of [/aren't tracked/, /can't deliver/i, /can't reach/i, /other senders' emails/, /didn't send/]) expect(text).not.toMatch(contradiction);

  // None of the simulator addresses is suppressed.
  await page.goto(`${herald.url}/suppressions`);
  await visible(page, 'No suppressed addresses').toBe(true);

  // A domain: its DNS records at once, verified once SES finds them (the simulator: a few seconds).
  await page.goto(`${herald.url}/settings/channels`);
  await page.getByLabel('Add a sender address or domain').fill('hopper.test');
  await page.getByRole('button', { name: 'Add and verify' }).click();
  const records = page.getByTestId('dns-records');
  await expect.poll(() => records.textContent(), { timeout: 10_000 }).toContain('_amazonses.hopper.test');
  const shown = (await records.textContent()) ?? '';
  expect(shown.match(/\._domainkey\.hopper\.test/g)).toHaveLength(3);
  expect(shown).toContain('v=spf1 include:amazonses.com ~all');
  expect(shown).toContain('_dmarc.hopper.test');
  expect(await records.getByRole('button', { name: 'Copy' }).count()).toBeGreaterThanOrEqual(12);
  const row = page.getByTestId('identities').getByRole('row').filter({ hasText: 'hopper.test' }).first();
  await expect.poll(() => row.textContent()).toMatch(/Pending/);
  await page.waitForTimeout(3_200);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/Verified/);

  // The forged post was answered 403 by the server, not by the page; nothing else went wrong.
  expect(problems).toEqual([]);
  await close();
});
