import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Problems the pages reported; the expected 4xx answers are left out. */
export const problems: string[] = [];
// The failed connects and the refused .xlsx upload answer 4xx on purpose.
const expected = /channels\.email\.connect|\/api\/contacts\/imports\?fileName=customers\.xlsx/;

export async function newPage(browser: Browser, viewport: { width: number; height: number }) {
	const context: BrowserContext = await browser.newContext({
		viewport,
		deviceScaleFactor: 1,
		reducedMotion: 'reduce',
		locale: 'en-US',
		timezoneId: 'UTC'
	});
	const page = await context.newPage();
	page.on('console', (msg) => {
		if (msg.type() === 'error' && !expected.test(msg.location().url))
			problems.push(`console error: ${msg.text()} @ ${msg.location().url}`);
	});
	page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
	page.on('response', (res) => {
		if (res.status() >= 400 && !expected.test(res.url())) problems.push(`HTTP ${res.status()}: ${res.url()}`);
	});
	return { page, context };
}

/**
 * Waits for the page to settle (no skeletons, no requests), hides toasts, and saves it.
 * `busy` shots are taken mid-request instead, to show a busy state.
 */
export async function shoot(page: Page, name: string, opts: { fullPage?: boolean; keepToasts?: boolean; busy?: boolean } = {}) {
	if (!opts.busy) {
		await page.waitForLoadState('networkidle');
		await page.waitForFunction(() => !document.querySelector('.animate-pulse, [aria-busy="true"]'));
	}
	if (!opts.keepToasts) await page.addStyleTag({ content: '[data-sonner-toaster] { display: none !important; }' });
	// Fonts and icons settle within a frame or two.
	await page.waitForTimeout(150);
	const file = path.join(outDir, `${name}.png`);
	const viewport = page.viewportSize();
	const fullPage = opts.fullPage ?? true;
	// A full-page capture keeps the viewport, so the fixed sidebar would stop at 800 px:
	// grow the window to the page's height instead, the way a very tall screen would show it.
	if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
	const height = fullPage ? await page.evaluate(() => document.documentElement.scrollHeight) : 0;
	if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
	await page.screenshot({ path: file, fullPage: false });
	if (viewport && height > viewport.height) await page.setViewportSize(viewport);
	console.log(`  saved docs/screenshots/${name}.png`);
}
