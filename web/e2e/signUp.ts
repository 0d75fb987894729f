import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY } from '@herald/server/testing';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export type NewAccount = { email: string; company: string; password: string };

/** Signs up a new tenant through the form and connects the simulator's demo SES account in Settings → Channels. */
export async function signUpAndConnect(page: Page, baseUrl: string, account: NewAccount): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Company name').fill(account.company);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.goto(`${baseUrl}/settings/channels`);
  await page.getByLabel('AWS Access Key ID').fill(DEMO_ACCESS_KEY_ID);
  await page.getByLabel('Secret Access Key').fill(DEMO_SECRET_ACCESS_KEY);
  await page.getByLabel('Verified sender').fill('demo@herald.test');
  await page.getByRole('button', { name: 'Connect to SES' }).click();
  await expect.poll(async () => (await page.getByTestId('ses-status').locator(':scope > span').first().textContent())?.trim(), { timeout: 15_000 }).toBe('Connected');
}
