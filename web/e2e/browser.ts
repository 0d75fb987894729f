import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page that records every console error, uncaught exception and failed or
 * 4xx/5xx request, so a test can demand that a flow produced none. Expected
 * error answers (a wrong password's 401) are listed by the test in `allow`.
 */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    // Chromium logs every 4xx/5xx as a console error; the URL lets a test allow the ones it expects.
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} @ ${msg.location().url}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation cancels the previous page's pending subscriptions; that's not a failure.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return { page, problems, close: () => context.close() };
}

export type WatchedPage = { page: Page; problems: string[] };
