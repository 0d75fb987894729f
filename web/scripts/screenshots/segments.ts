import type { Page } from 'playwright-core';
import { shoot } from './shoot.js';

/** The tenant's attribute names as the builder offers them ("plan" or "Plan", as the import named it). */
async function attributeNamed(page: Page, wanted: string): Promise<string> {
	const names = await page.evaluate(async () => {
		const res = await fetch('/trpc/segments.attributeNames');
		return ((await res.json()) as { result: { data: { names: string[] } } }).result.data.names;
	});
	return names.find((n) => n.toLowerCase() === wanted) ?? wanted;
}

/** A segment built over the imported Newsletter list, and a campaign scheduled to it. */
export async function segments(page: Page, base: string) {
	await page.goto(`${base}/segments/new`);
	await page.getByLabel('Segment name').fill('Pro customers in Berlin or Lisbon');
	const list = page.getByLabel('Audience').locator('option', { hasText: 'Newsletter' }).first();
	await list.waitFor({ state: 'attached' });
	await page.getByLabel('Audience').selectOption((await list.getAttribute('value')) ?? '');

	await page.getByRole('button', { name: 'Add condition', exact: true }).click();
	const plan = page.getByRole('group', { name: 'Condition 1' });
	await plan.getByLabel('Field', { exact: true }).selectOption('attribute');
	await plan.getByLabel('Attribute name').fill(await attributeNamed(page, 'plan'));
	await plan.getByLabel('Value', { exact: true }).fill('pro');
	await page.getByRole('button', { name: 'Add group (any of…)' }).click();
	const group = page.getByRole('group', { name: 'Group 2, condition 1' });
	const city = await attributeNamed(page, 'city');
	await group.getByLabel('Field', { exact: true }).selectOption('attribute');
	await group.getByLabel('Attribute name').fill(city);
	await group.getByLabel('Value', { exact: true }).fill('Berlin');
	await page.getByRole('button', { name: 'Add condition to group 2' }).click();
	const second = page.getByRole('group', { name: 'Group 2, condition 2' });
	await second.getByLabel('Field', { exact: true }).selectOption('attribute');
	await second.getByLabel('Attribute name').fill(city);
	await second.getByLabel('Value', { exact: true }).fill('Lisbon');
	await page.getByRole('button', { name: 'Add condition', exact: true }).click();
	const opened = page.getByRole('group', { name: 'Condition 3' });
	await opened.getByLabel('Field', { exact: true }).selectOption('engagement');
	await opened.getByLabel('Condition', { exact: true }).selectOption('wasSent');
	await opened.getByLabel('In the last … days').fill('30');
	await page.getByTestId('segment-matches').waitFor({ timeout: 15_000 });
	await shoot(page, 'segment-editor');
	await page.getByRole('button', { name: 'Create segment' }).click();
	await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);

	await page.goto(`${base}/segments`);
	await page.getByTestId('segments-table').waitFor();
	await shoot(page, 'segments');

	// A campaign to the segment, scheduled for next Tuesday morning in Berlin.
	await page.goto(`${base}/campaigns/new`);
	await page.getByLabel('Campaign name').fill('Pro preview evening');
	const segment = page.getByLabel('Audience').locator('option', { hasText: 'Pro customers in Berlin or Lisbon' }).first();
	await segment.waitFor({ state: 'attached' });
	await page.getByLabel('Audience').selectOption((await segment.getAttribute('value')) ?? '');
	await page.getByLabel('Subject').fill('{{ first_name | default: "Hello" }}, you are invited to our pro preview');
	await page.getByRole('button', { name: 'Save draft' }).click();
	await page.waitForURL('**/campaigns/*/edit');
	await page.getByRole('button', { name: 'Send…' }).click();
	await page.getByTestId('send-recipients').waitFor();
	const dialog = page.getByRole('dialog');
	await dialog.getByLabel('Schedule').check();
	await dialog.getByLabel('Time zone').selectOption('Europe/Berlin');
	await dialog.getByLabel('Date and time').fill(nextTuesdayNine());
	await dialog.getByTestId('subject-as-seen').waitFor();
	await shoot(page, 'campaign-schedule', { fullPage: false });
	await dialog.getByRole('button', { name: /^Schedule for / }).click();
	await page.getByTestId('scheduled-for').waitFor();
	await shoot(page, 'campaign-scheduled');

	await page.goto(`${base}/campaigns`);
	await page.getByTestId('campaign-scheduled-for').waitFor();
	await shoot(page, 'campaigns');
}

/** Next week's Tuesday, 09:00, as a datetime-local value. */
function nextTuesdayNine(now = new Date()): string {
	const day = new Date(now.getTime() + 7 * 86_400_000);
	day.setDate(day.getDate() + ((2 - day.getDay() + 7) % 7));
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T09:00`;
}
