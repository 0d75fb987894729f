import type { Browser, Page } from 'playwright-core';
import { bigCsv } from './customers.js';
import { DESKTOP, newPage, shoot } from './shoot.js';

/** Picks a list in the campaign editor by name (its label also shows the member count). */
async function chooseList(page: Page, name: string) {
	const option = page.getByLabel('Audience').locator('option', { hasText: name }).first();
	await option.waitFor({ state: 'attached' });
	await page.getByLabel('Audience').selectOption((await option.getAttribute('value')) ?? '');
}

/** A campaign written, previewed, confirmed and sent to the imported Newsletter list. */
export async function campaigns(page: Page, base: string) {
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
export async function importProgress(browser: Browser, base: string) {
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
