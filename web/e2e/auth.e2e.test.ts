import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { WEB_DIST: webBuild } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
});

it('a person signs up, sees the app, signs out and signs in again, with no console errors', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await page.goto(`${herald.url}/`);
  // Signed out: the app sends you to sign in.
  await page.waitForURL('**/signin');
  await page.getByRole('link', { name: /create an account|sign up/i }).click();
  await page.waitForURL('**/signup');

  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Company name').fill('Hopper & Co');
  await page.getByLabel('Password').fill('compilers are fun');
  await page.getByRole('button', { name: 'Create account' }).click();

  await page.waitForURL((url) => url.pathname === '/');
  await expect.poll(() => page.getByText('Hopper & Co').first().isVisible()).toBe(true);
  for (const item of ['Dashboard', 'Campaigns', 'Contacts', 'Settings']) {
    await expect.poll(() => page.getByRole('link', { name: item }).first().isVisible()).toBe(true);
  }
  await page.getByRole('link', { name: 'Campaigns' }).first().click();
  await page.waitForURL('**/campaigns');

  await page.getByRole('button', { name: /grace@example\.com|account menu|user menu/i }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).or(page.getByRole('button', { name: 'Sign out' })).first().click();
  await page.waitForURL('**/signin');

  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Password').fill('compilers are fun');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect.poll(() => page.getByText('Hopper & Co').first().isVisible()).toBe(true);

  expect(problems).toEqual([]);
  await close();
});

it('a wrong password shows a message on the page', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await page.goto(`${herald.url}/signin`);
  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByText('Email or password is incorrect.').isVisible()).toBe(true);
  // The 401 itself is the expected answer; nothing else may have gone wrong.
  expect(problems.filter((p) => !/auth\.signIn/.test(p))).toEqual([]);
  expect(problems.some((p) => /HTTP 401: POST .*auth\.signIn/.test(p))).toBe(true);
  await close();
});

it('a session that ends elsewhere sends the person back to sign in once, with a note, and signing in again works', async () => {
  const { page, problems, close } = await watchedPage(browser);
  await page.goto(`${herald.url}/signin`);
  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Password').fill('compilers are fun');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect.poll(() => page.getByText('Hopper & Co').first().isVisible()).toBe(true);

  await page.getByRole('link', { name: 'Lists' }).first().click();
  await expect.poll(() => page.getByText('No lists yet').isVisible()).toBe(true);
  await page.waitForLoadState('networkidle');

  // The cookie goes away (expired, or revoked from another device); the next call is refused.
  await page.context().clearCookies();
  await page.getByLabel('List name').fill('Newsletter');
  await page.getByRole('button', { name: 'Create list' }).click();
  await page.waitForURL('**/signin');
  await expect.poll(() => page.getByText('Your session has ended. Please sign in again.').count()).toBe(1);
  // However many calls were refused at once, the note says it once.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await page.getByText('Your session has ended. Please sign in again.').count()).toBe(1);

  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Password').fill('compilers are fun');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect.poll(() => page.getByText('Hopper & Co').first().isVisible()).toBe(true);

  // The refused calls are the expected 401s; nothing else went wrong.
  expect(problems.filter((p) => !/ 401[: ]|status of 401/.test(p))).toEqual([]);
  await close();
});
