import type { Page } from 'playwright-core';
import type { TestHerald } from '@herald/server/testing';
import { customersCsv } from './customers.js';
import { shoot } from './shoot.js';

/** Contacts, the import wizard, lists, suppressions and the sender profile, for one company. */
export async function audience(herald: TestHerald, page: Page, tenantName: string) {
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
