/**
 * Saves current screenshots of Herald's main pages into docs/screenshots/.
 *
 *   npm run screenshots -w @herald/web [-- --database-url postgres://user@host:5432/db]
 *
 * It builds nothing itself (the npm script runs `vite build` first), starts a real
 * Herald on a fresh database with the local SES simulator and the built web app,
 * then walks through the pages in Chromium. The database URL must name a Postgres
 * server where it may create and drop a database; the default suits this machine.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../e2e/browser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const webBuild = path.resolve(here, '..', 'build');
const outDir = path.resolve(here, '..', '..', 'docs', 'screenshots');

const { values: args } = parseArgs({
	options: {
		'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' }
	}
});

// The SES simulator's preset keys (server/src/dev/README.md).
const SECRET = 'herald-demo-secret-key-do-not-use-in-aws';
const DEMO_KEY = 'AKIAHERALDDEMO000001';
const SANDBOX_KEY = 'AKIAHERALDSANDBOX001';
const UNKNOWN_KEY = 'AKIAHERALDWRONG00001';
const SLOW_SANDBOX_KEY = 'AKIAHERALDSLOWSBX001';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Problems the pages reported; expected 4xx answers from failed connects are left out. */
const problems: string[] = [];
const expected = /channels\.email\.connect/;

async function newPage(browser: Browser, viewport: { width: number; height: number }) {
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
async function shoot(page: Page, name: string, opts: { fullPage?: boolean; keepToasts?: boolean; busy?: boolean } = {}) {
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

/** A copy of a preset simulator account under a new key, answering every call slowly. */
async function slowCopyOf(herald: TestHerald, presetKey: string, newKey: string, latencyMs: number) {
	const sim = (herald.deps.env.sesEndpoint ?? '').replace(/\/$/, '');
	const accounts = (await (await fetch(`${sim}/_simulator/accounts`)).json()) as Array<Record<string, unknown>>;
	const preset = accounts.find((a) => a.accessKeyId === presetKey);
	if (!preset) throw new Error(`simulator has no ${presetKey}`);
	const { accessKeyId: _key, ...config } = preset;
	const res = await fetch(`${sim}/_simulator/accounts/${newKey}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ ...config, secretAccessKey: SECRET, failures: { latencyMs } })
	});
	if (!res.ok) throw new Error(`simulator refused the account: ${await res.text()}`);
}

async function fillKeys(page: Page, accessKeyId: string, sender: string) {
	await page.getByLabel('AWS Access Key ID').fill(accessKeyId);
	await page.getByLabel('Secret Access Key').fill(SECRET);
	const field = page.getByLabel('Verified sender');
	if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(sender);
	else await field.fill(sender);
}

async function status(page: Page, word: string) {
	await page
		.getByTestId('ses-status')
		.locator(':scope > span', { hasText: word })
		.first()
		.waitFor({ state: 'visible' });
}

async function run(herald: TestHerald, browser: Browser) {
	const base = herald.url;
	const { page, context } = await newPage(browser, DESKTOP);

	await page.goto(`${base}/signin`);
	await page.getByRole('button', { name: 'Sign in' }).waitFor();
	await shoot(page, 'signin');

	await page.goto(`${base}/signup`);
	await page.getByRole('button', { name: 'Create account' }).waitFor();
	await shoot(page, 'signup');

	await page.getByLabel('Email').fill('maria@acme-outfitters.test');
	await page.getByLabel('Company name').fill('Acme Outfitters');
	await page.getByLabel('Password').fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.waitForURL((url) => url.pathname === '/');
	await page.getByText('Amazon SES not connected').waitFor();
	await shoot(page, 'dashboard');

	await page.goto(`${base}/campaigns`);
	await page.getByText('Herald sends through your own Amazon SES account').waitFor();
	await shoot(page, 'campaigns-empty');

	await page.goto(`${base}/settings/channels`);
	await status(page, 'Not connected');
	await shoot(page, 'channels-not-connected');

	await fillKeys(page, UNKNOWN_KEY, 'news@herald.test');
	await page.getByRole('button', { name: 'Connect to SES' }).click();
	await status(page, 'Connection failed');
	await shoot(page, 'channels-connection-failed');

	await page.getByLabel('AWS Access Key ID').fill(DEMO_KEY);
	await page.getByLabel('Verified sender').fill('');
	await page.getByRole('button', { name: 'Check keys' }).click();
	await page.getByText(/Keys work/).waitFor();
	await page.getByLabel('Verified sender').selectOption('demo@herald.test');
	await page.getByLabel('Configuration set (optional)').fill('herald-events');
	await shoot(page, 'channels-keys-checked');

	await page.getByRole('button', { name: 'Connect to SES' }).click();
	await status(page, 'Connected');
	await page.getByTestId('identities').waitFor();
	await shoot(page, 'channels-connected');

	await page.getByRole('button', { name: 'Disconnect' }).click();
	await page.getByRole('alertdialog').waitFor();
	await shoot(page, 'channels-disconnect-confirm', { fullPage: false });
	await page.getByRole('button', { name: 'Cancel' }).click();

	await page.goto(`${base}/`);
	await page.getByText('Done').first().waitFor();
	await shoot(page, 'dashboard-ses-connected');

	await page.goto(`${base}/settings/api-keys`);
	await page.getByLabel('Key name').fill('Billing service');
	await page.getByRole('button', { name: 'Create API key' }).click();
	await page.getByRole('dialog').waitFor();
	await shoot(page, 'api-keys-new-key', { fullPage: false });
	await page.getByRole('button', { name: 'Done' }).click();
	await page.getByRole('dialog').waitFor({ state: 'detached' });
	await page.getByLabel('Key name').fill('Website sign-up form');
	await page.getByRole('button', { name: 'Create API key' }).click();
	await page.getByRole('dialog').waitFor();
	await page.getByRole('button', { name: 'Done' }).click();
	await page.getByRole('dialog').waitFor({ state: 'detached' });
	await shoot(page, 'api-keys');
	await context.close();

	// A second tenant whose SES account is still in the sandbox.
	const sandbox = await newPage(browser, DESKTOP);
	await sandbox.page.goto(`${base}/signup`);
	await sandbox.page.getByLabel('Email').fill('sam@tiny-shop.test');
	await sandbox.page.getByLabel('Company name').fill('Tiny Shop');
	await sandbox.page.getByLabel('Password').fill('correct horse battery staple');
	await sandbox.page.getByRole('button', { name: 'Create account' }).click();
	await sandbox.page.waitForURL((url) => url.pathname === '/');
	await sandbox.page.goto(`${base}/settings/channels`);
	await status(sandbox.page, 'Not connected');
	// Its keys answer slowly, so the busy state stays on screen long enough to capture.
	await slowCopyOf(herald, SANDBOX_KEY, SLOW_SANDBOX_KEY, 800);
	await fillKeys(sandbox.page, SLOW_SANDBOX_KEY, 'sandbox@herald.test');
	await sandbox.page.getByRole('button', { name: 'Connect to SES' }).click();
	await status(sandbox.page, 'Connecting…');
	await shoot(sandbox.page, 'channels-connecting', { busy: true });
	await status(sandbox.page, 'Connected');
	await sandbox.page.getByTestId('identities').waitFor();
	await shoot(sandbox.page, 'channels-connected-sandbox');
	await sandbox.context.close();

	// The phone layout: the sidebar folds into a menu.
	const phone = await newPage(browser, PHONE);
	await phone.page.goto(`${base}/signin`);
	await phone.page.getByLabel('Email').fill('maria@acme-outfitters.test');
	await phone.page.getByLabel('Password').fill('correct horse battery staple');
	await phone.page.getByRole('button', { name: 'Sign in' }).click();
	await phone.page.waitForURL((url) => url.pathname === '/');
	await phone.page.getByText('Done').first().waitFor();
	await shoot(phone.page, 'mobile-dashboard', { fullPage: false });
	await phone.page.getByRole('button', { name: 'Open navigation' }).click();
	await phone.page.getByRole('dialog').waitFor();
	await shoot(phone.page, 'mobile-dashboard-menu', { fullPage: false });
	await phone.page.goto(`${base}/settings/channels`);
	await status(phone.page, 'Connected');
	await phone.page.getByTestId('identities').waitFor();
	await shoot(phone.page, 'mobile-channels-connected');
	await phone.context.close();
}

async function main() {
	await mkdir(outDir, { recursive: true });
	console.log('Starting Herald with the SES simulator…');
	const herald = await startTestHerald(args['database-url'], {
		env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on', LOG_LEVEL: 'warn' }
	});
	const browser = await launchBrowser();
	try {
		await run(herald, browser);
	} finally {
		await browser.close();
		await herald.stop();
	}
	if (problems.length > 0) {
		console.error(`\nThe pages reported ${problems.length} problem(s):\n${problems.join('\n')}`);
		process.exitCode = 1;
	} else {
		console.log('\nDone, with no console errors or failed requests.');
	}
}

main().catch((err: unknown) => {
	console.error(err);
	process.exit(1);
});
