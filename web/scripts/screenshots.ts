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
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../e2e/browser.js';
import { audience } from './screenshots/audience.js';
import { campaigns, importProgress } from './screenshots/campaigns.js';
import { transactional } from './screenshots/emails.js';
import { segments } from './screenshots/segments.js';
import { DEMO_KEY, fillKeys, SANDBOX_KEY, SLOW_SANDBOX_KEY, slowCopyOf, status, UNKNOWN_KEY } from './screenshots/keys.js';
import { DESKTOP, newPage, outDir, PHONE, problems, shoot } from './screenshots/shoot.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

const { values: args } = parseArgs({
	options: {
		'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' }
	}
});

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

	// One click sets up event tracking in the (simulated) AWS account; the test emails prove it.
	await page.getByRole('button', { name: 'Set up event tracking' }).click();
	await page.getByTestId('subscription-state').getByText(/Confirmed/).waitFor();
	await page.getByRole('button', { name: 'Send test emails' }).click();
	await page.getByTestId('test-emails').getByText('Events arrived').nth(2).waitFor({ timeout: 30_000 });
	await page.getByTestId('events-verdict').getByText('Working').first().waitFor();
	await shoot(page, 'channels-events-working');

	await page.getByLabel('Add a sender address or domain').fill('acme-outfitters.test');
	await page.getByRole('button', { name: 'Add and verify' }).click();
	await page.getByTestId('dns-records').waitFor();
	await shoot(page, 'channels-domain-records');

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
	// The second key sends the transactional emails below, as a service would.
	const apiKey = await page.getByRole('dialog').getByLabel('API key').inputValue();
	await page.getByRole('button', { name: 'Done' }).click();
	await page.getByRole('dialog').waitFor({ state: 'detached' });
	await page.getByTestId('example-curl').getByText('demo@herald.test').waitFor();
	await shoot(page, 'api-keys');

	await transactional(page, base, apiKey);

	await audience(herald, page, 'Acme Outfitters');
	await campaigns(page, base);
	await segments(page, base);
	await context.close();

	await importProgress(browser, base);

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
	await sandbox.page.goto(`${base}/suppressions`);
	await sandbox.page.getByText('No suppressed addresses').waitFor();
	await shoot(sandbox.page, 'suppressions-empty');
	await sandbox.context.close();

	// The phone layout: the sidebar folds into a menu.
	const phone = await newPage(browser, PHONE);
	await phone.page.goto(`${base}/signin`);
	await phone.page.getByLabel('Email').fill('maria@acme-outfitters.test');
	await phone.page.getByLabel('Password').fill('correct horse battery staple');
	await phone.page.getByRole('button', { name: 'Sign in' }).click();
	await phone.page.waitForURL((url) => url.pathname === '/');
	// By now a campaign went out, so the dashboard shows its numbers rather than the first steps.
	await phone.page.getByTestId('dashboard-ses').waitFor();
	await shoot(phone.page, 'mobile-dashboard', { fullPage: false });
	await phone.page.getByRole('button', { name: 'Open navigation' }).click();
	await phone.page.getByRole('dialog').waitFor();
	await shoot(phone.page, 'mobile-dashboard-menu', { fullPage: false });
	await phone.page.goto(`${base}/settings/channels`);
	await status(phone.page, 'Connected');
	await phone.page.getByTestId('identities').waitFor();
	await shoot(phone.page, 'mobile-channels-connected');
	await phone.page.goto(`${base}/contacts`);
	await phone.page.getByTestId('contacts-table').waitFor();
	await shoot(phone.page, 'mobile-contacts', { fullPage: false });
	await phone.page.goto(`${base}/campaigns`);
	await phone.page.getByTestId('campaigns-table').waitFor();
	await shoot(phone.page, 'mobile-campaigns', { fullPage: false });
	await phone.page.goto(`${base}/emails`);
	await phone.page.getByTestId('emails-table').waitFor();
	await shoot(phone.page, 'mobile-emails', { fullPage: false });
	await phone.context.close();
}

async function main() {
	await mkdir(outDir, { recursive: true });
	console.log('Starting Herald with the SES simulator…');
	const herald = await startTestHerald(args['database-url'], {
		env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on', LOG_LEVEL: 'warn' },
		// The worker runs contact imports and sends campaigns.
		roles: { http: true, worker: true }
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
