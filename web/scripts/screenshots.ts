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
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, SANDBOX_ACCESS_KEY_ID, startTestHerald, type TestHerald } from '@herald/server/testing';
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
const SECRET = DEMO_SECRET_ACCESS_KEY;
const DEMO_KEY = DEMO_ACCESS_KEY_ID;
const SANDBOX_KEY = SANDBOX_ACCESS_KEY_ID;
// Key ids the simulator does not know (or that the script adds itself): any 20 capitals and digits.
const UNKNOWN_KEY = 'HERALDWRONGKEY000001';
const SLOW_SANDBOX_KEY = 'HERALDSLOWSANDBOX001';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Problems the pages reported; the expected 4xx answers are left out. */
const problems: string[] = [];
// The failed connects and the refused .xlsx upload answer 4xx on purpose.
const expected = /channels\.email\.connect|\/api\/contacts\/imports\?fileName=customers\.xlsx/;

const FIRST = ['Aaron', 'Abena', 'Aiko', 'Amara', 'Ana', 'Ben', 'Bianca', 'Carlos', 'Chloe', 'Dara', 'Diego', 'Elena', 'Emeka', 'Farah', 'Grace', 'Hannah', 'Ingrid', 'Isaac', 'James', 'Jin', 'Kofi', 'Lena', 'Liam', 'Lucía', 'Maria', 'Mateo', 'Mei', 'Nadia', 'Noah', 'Olu', 'Omar', 'Priya', 'Quinn', 'Ravi', 'Rosa', 'Sam', 'Sofia', 'Tomás', 'Yusuf', 'Zoe'];
const LAST = ['Adeyemi', 'Ahmed', 'Berg', 'Brown', 'Costa', 'Dubois', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Kowalski', 'Khan', 'Larsen', 'Lopez', 'Müller', 'Murphy', 'Nguyen', 'Novak', 'Okafor', 'Patel', 'Reyes', 'Rossi', 'Silva', 'Smith', 'Tanaka', 'Wright'];
const COMPANIES = ['Northwind', 'Globex', 'Initech', 'Umbrella Outdoors', 'Stark Supply', 'Wayne Textiles', 'Hooli', 'Vandelay Imports', '', ''];
const CITIES = ['Berlin', 'Lisbon', 'Austin', 'Osaka', 'Lagos', 'Toronto', 'Madrid', 'Dublin', 'Pune', 'Oslo'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example', 'inbox.example'];
/** Customers the script opens or suppresses later, so the file always has them. */
const KNOWN = ['Maria Garcia', 'Aiko Tanaka', 'Chloe Dubois', 'Noah Murphy', 'Liam Smith', 'James Smith'];

/** A small deterministic random source, so every run draws the same customers. */
function seeded(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const slug = (text: string) => text.toLowerCase().normalize('NFD').replace(/[^a-z0-9.]/g, '');

/** A shop's customer export: names, company, city, plan, sign-up date, and four broken rows. */
function customersCsv(rows: number): string {
	const random = seeded(2024);
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
	const seen = new Set<string>();
	const lines = ['Email,First Name,Last Name,Company,City,Plan,Signed up'];
	while (lines.length <= rows) {
		const known = KNOWN[lines.length - 1];
		const [first, last] = known ? (known.split(' ') as [string, string]) : [pick(FIRST), pick(LAST)];
		const style = random();
		const local = known || style < 0.6 ? `${first}.${last}` : style < 0.8 ? `${first[0]}${last}` : `${first}${Math.floor(random() * 90) + 10}`;
		const email = `${slug(local)}@${known ? 'example.com' : pick(DOMAINS)}`;
		if (seen.has(email)) continue;
		seen.add(email);
		const n = lines.length;
		lines.push(`${email},${first},${last},${pick(COMPANIES)},${pick(CITIES)},${['free', 'pro', 'team'][n % 3]},2024-0${(n % 9) + 1}-1${n % 10}`);
		if (n === 40) lines.push('maria.garcia@,Maria,Garcia,Northwind,Berlin,pro,2024-03-14');
		if (n === 90) lines.push('n/a,Walk-in,Customer,,Lisbon,free,2024-05-02');
		if (n === 150) lines.push('james.smith@example.com,James,Smith,Globex,Lisbon,pro,2024-02-11');
		if (n === 220) lines.push(',Unknown,,,Austin,free,2024-06-01');
	}
	return `${lines.join('\n')}\n`;
}

/** A plain, large file: big enough to see an import's progress bar move. */
function bigCsv(rows: number): string {
	const lines = ['email,first_name,plan'];
	for (let i = 0; i < rows; i++) lines.push(`customer${i}@example.com,Customer ${i},${i % 3 ? 'pro' : 'free'}`);
	return `${lines.join('\n')}\n`;
}

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

/** Contacts, the import wizard, lists, suppressions and the sender profile, for one company. */
async function audience(herald: TestHerald, page: Page, tenantName: string) {
	const base = herald.url;

	await page.goto(`${base}/contacts`);
	await page.getByText('No contacts yet').waitFor();
	await shoot(page, 'contacts-empty');

	await page.goto(`${base}/settings/profile`);
	await page.getByText('Incomplete').waitFor();
	await shoot(page, 'sender-profile-incomplete');
	await page.getByLabel('Postal address').fill('Acme Outfitters Ltd\n48 Harbour Road\nBristol BS1 5TY\nUnited Kingdom');
	await page.getByRole('button', { name: 'Save profile' }).click();
	await page.getByTestId('profile-status').getByText('Complete').waitFor();
	await shoot(page, 'sender-profile');

	await page.goto(`${base}/lists`);
	await page.getByText('No lists yet').waitFor();
	await shoot(page, 'lists-empty');
	for (const name of ['Beta customers', 'Berlin pop-up']) {
		await page.getByLabel('List name').fill(name);
		await page.getByRole('button', { name: 'Create list' }).click();
		await page.getByRole('link', { name, exact: true }).waitFor();
	}

	await page.goto(`${base}/contacts/import`);
	await page.getByRole('button', { name: 'Upload file' }).waitFor();
	await shoot(page, 'contacts-import-upload');

	await page.getByLabel('CSV file').setInputFiles({
		name: 'acme-customers.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(customersCsv(640))
	});
	await page.getByRole('button', { name: 'Upload file' }).click();
	await page.getByLabel('Email address column').waitFor();
	await page.getByLabel('Import “Signed up” as').selectOption('skip');
	await page.getByLabel('Add the contacts to a list (optional)').selectOption({ label: 'A new list…' });
	await page.getByLabel('New list name').fill('Newsletter');
	await shoot(page, 'contacts-import-mapping');

	await page.getByRole('button', { name: 'Start import' }).click();
	await page.getByTestId('import-result').waitFor({ timeout: 60_000 });
	await shoot(page, 'contacts-import-result');

	// A refused file, for the "not a CSV" state.
	await page.getByRole('button', { name: 'Import another file' }).click();
	await page.getByLabel('CSV file').setInputFiles({
		name: 'customers.xlsx',
		mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0, 0x08, 0, 0, 0, 0x21, 0])
	});
	await page.getByRole('button', { name: 'Upload file' }).click();
	await page.getByText(/This file is not a CSV/).waitFor();
	await shoot(page, 'contacts-import-not-csv');

	// A few addresses that bounced, complained or unsubscribed, as SES and the unsubscribe link would record them.
	const [tenant] = await herald.deps.sql<{ id: string }[]>`select id from tenants where name = ${tenantName}`;
	if (!tenant) throw new Error(`no tenant ${tenantName}`);
	const seeded: Array<[string, string, string | null]> = [
		['aiko.tanaka@example.com', 'bounce', 'SES bounce: mailbox does not exist'],
		['chloe.dubois@example.com', 'complaint', 'SES complaint: marked as spam'],
		['noah.murphy@example.com', 'unsubscribe', 'unsubscribe link'],
		['liam.smith@example.com', 'unsubscribe', 'unsubscribe link']
	];
	for (const [email, reason, source] of seeded) {
		await herald.deps.sql`insert into suppressions (tenant_id, email, reason, source) values (${tenant.id}, ${email}, ${reason}, ${source})`;
	}
	await herald.deps.sql`update contacts set status = 'bounced' where tenant_id = ${tenant.id} and email = 'aiko.tanaka@example.com'`;
	await herald.deps.sql`update contacts set status = 'complained' where tenant_id = ${tenant.id} and email = 'chloe.dubois@example.com'`;
	await herald.deps.sql`update contacts set status = 'unsubscribed' where tenant_id = ${tenant.id} and email in ('noah.murphy@example.com', 'liam.smith@example.com')`;
	// Two people on the first page who unsubscribed from their own settings.
	await herald.deps.sql`
		update contacts set status = 'unsubscribed' where id in (
			select id from (select id, row_number() over (order by email) as n from contacts where tenant_id = ${tenant.id}) ranked
			where n in (4, 12))`;

	await page.goto(`${base}/contacts`);
	await page.getByTestId('contacts-table').waitFor();
	await shoot(page, 'contacts');

	await page.getByLabel('Search contacts').fill('maria.garcia@');
	await page.getByText('Showing 1–').waitFor();
	await page.getByRole('link', { name: 'maria.garcia@example.com', exact: true }).click();
	await page.getByLabel('First name').waitFor();
	await page.getByLabel('Add to list').selectOption({ label: 'Beta customers' });
	await page.getByRole('button', { name: 'Add to list' }).click();
	await page.getByRole('link', { name: 'Beta customers' }).waitFor();
	await shoot(page, 'contact-detail');

	await page.goto(`${base}/contacts`);
	await page.getByLabel('Search contacts').fill('aiko.tanaka@example.com');
	await page.getByText('Showing 1–1', { exact: true }).waitFor();
	await page.getByRole('link', { name: 'aiko.tanaka@example.com' }).click();
	await page.getByText('This address is on your suppression list').waitFor();
	await shoot(page, 'contact-detail-suppressed');
	await page.getByRole('button', { name: 'Delete contact' }).click();
	await page.getByRole('alertdialog').waitFor();
	await shoot(page, 'contact-delete-confirm', { fullPage: false });
	await page.getByRole('button', { name: 'Cancel' }).click();

	await page.goto(`${base}/lists`);
	await page.getByTestId('lists-table').waitFor();
	await shoot(page, 'lists');
	await page.getByRole('link', { name: 'Newsletter' }).click();
	await page.getByTestId('contacts-table').waitFor();
	await shoot(page, 'list-detail');

	await page.goto(`${base}/suppressions`);
	await page.getByTestId('suppressions-table').waitFor();
	await page.getByLabel('Email address').fill('old-customer@example.org');
	await page.getByRole('button', { name: 'Add to suppressions' }).click();
	await page.getByRole('cell', { name: 'old-customer@example.org', exact: true }).waitFor();
	await page.getByLabel('CSV file of addresses').setInputFiles({
		name: 'mailchimp-cleaned.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from('Email Address,Reason\nformer.user@example.net,cleaned\nnot an address,cleaned\nbounced.twice@example.net,cleaned\n')
	});
	await page.getByRole('button', { name: 'Upload CSV' }).click();
	await page.getByText('Added 2 addresses.').waitFor();
	await shoot(page, 'suppressions');
	await page.getByRole('button', { name: 'Remove chloe.dubois@example.com' }).click();
	await page.getByRole('alertdialog').waitFor();
	await shoot(page, 'suppressions-remove-confirm', { fullPage: false });
	await page.getByRole('button', { name: 'Cancel' }).click();

	await page.goto(`${base}/`);
	await page.getByText('3 of 4 done').waitFor();
	await shoot(page, 'dashboard-three-steps');
}

/** Picks a list in the campaign editor by name (its label also shows the member count). */
async function chooseList(page: Page, name: string) {
	const option = page.getByLabel('Audience').locator('option', { hasText: name }).first();
	await option.waitFor({ state: 'attached' });
	await page.getByLabel('Audience').selectOption((await option.getAttribute('value')) ?? '');
}

/** A campaign written, previewed, confirmed and sent to the imported Newsletter list. */
async function campaigns(page: Page, base: string) {
	await page.goto(`${base}/campaigns/new`);
	await page.getByLabel('Campaign name').fill('Spring collection');
	await chooseList(page, 'Newsletter');
	await page.getByLabel('Subject').fill('{{ first_name | default: "Hello" }}, the spring collection is here');
	await page.getByLabel('HTML body').fill(
		[
			'<div style="font-family: Helvetica, Arial, sans-serif; max-width: 560px; margin: 0 auto; color: #18181b">',
			'  <h1 style="color: #4f46e5">Hi {{ first_name | default: "there" }},</h1>',
			'  <p>Our spring collection has landed: light jackets, trail shoes and the new Harbour backpack.</p>',
			'  <p>As a {{ plan | default: "valued" }} customer you get early access until Friday.</p>',
			'  <p><a href="https://example.com/spring" style="background: #4f46e5; color: #fff; padding: 10px 16px; border-radius: 6px; text-decoration: none">See the collection</a></p>',
			'  <p>Happy exploring,<br>Maria at Acme Outfitters</p>',
			'</div>'
		].join('\n')
	);
	await page.getByRole('button', { name: 'Save draft' }).click();
	await page.waitForURL('**/campaigns/*/edit');
	await page.getByTestId('preview-contact').waitFor();
	await page.frameLocator('iframe[title="HTML version of the email"]').getByText('spring collection has landed').waitFor();
	await shoot(page, 'campaign-editor');

	await page.getByRole('button', { name: 'Send…' }).click();
	await page.getByTestId('send-recipients').waitFor();
	await shoot(page, 'campaign-send-confirm', { fullPage: false });
	await page.getByRole('button', { name: /^Send to / }).click();
	await page.waitForURL((url) => /^\/campaigns\/[^/]+$/.test(url.pathname));
	const campaignUrl = page.url();
	try {
		await page.waitForFunction(
			() => {
				const now = Number(document.querySelector('[aria-label="Sending progress"]')?.getAttribute('aria-valuenow'));
				return now >= 30 && now < 90;
			},
			undefined,
			{ timeout: 60_000, polling: 100 }
		);
		await shoot(page, 'campaign-sending', { busy: true });
		await page.goto(`${base}/campaigns`);
		await page.getByTestId('campaigns-table').waitFor();
		await shoot(page, 'campaigns-sending', { busy: true });
		await page.goto(campaignUrl);
	} catch {
		console.log('  (the campaign finished too fast to catch it mid-way; no sending shots this time)');
	}
	await page.getByTestId('campaign-status').getByText('Sent').waitFor({ timeout: 120_000 });
	await shoot(page, 'campaign-sent');

	// A draft beside the sent one, for the list.
	await page.goto(`${base}/campaigns/new`);
	await page.getByLabel('Campaign name').fill('Summer sale (draft)');
	await chooseList(page, 'Beta customers');
	await page.getByLabel('Subject').fill('Summer sale starts Monday');
	await page.getByRole('button', { name: 'Save draft' }).click();
	await page.waitForURL('**/campaigns/*/edit');
	await page.goto(`${base}/campaigns`);
	await page.getByTestId('campaigns-table').waitFor();
	await shoot(page, 'campaigns');
}

/** A third company imports a large file, to catch the progress bar mid-way. */
async function importProgress(browser: Browser, base: string) {
	const { page, context } = await newPage(browser, DESKTOP);
	await page.goto(`${base}/signup`);
	await page.getByLabel('Email').fill('lee@big-catalogue.test');
	await page.getByLabel('Company name').fill('Big Catalogue Co');
	await page.getByLabel('Password').fill('correct horse battery staple');
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.waitForURL((url) => url.pathname === '/');
	await page.goto(`${base}/contacts/import`);
	await page.getByLabel('CSV file').setInputFiles({
		name: 'catalogue-subscribers.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(bigCsv(300_000))
	});
	await page.getByRole('button', { name: 'Upload file' }).click();
	await page.getByRole('button', { name: 'Start import' }).click();
	await page.getByRole('progressbar', { name: 'Import progress' }).waitFor();
	try {
		await page.waitForFunction(
			() => {
				const bar = document.querySelector('[aria-label="Import progress"]');
				const now = Number(bar?.getAttribute('aria-valuenow'));
				return now >= 55 && now < 95;
			},
			undefined,
			{ timeout: 60_000, polling: 50 }
		);
		await shoot(page, 'contacts-import-progress', { busy: true });
	} catch {
		console.log('  (the import finished too fast to catch it mid-way; no progress shot this time)');
	}
	await page.getByTestId('import-result').waitFor({ timeout: 120_000 });
	await context.close();
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

	await audience(herald, page, 'Acme Outfitters');
	await campaigns(page, base);
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
