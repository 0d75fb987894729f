import type { Page } from 'playwright-core';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, SANDBOX_ACCESS_KEY_ID, type TestHerald } from '@herald/server/testing';

// The SES simulator's preset keys (server/src/dev/README.md).
export const SECRET = DEMO_SECRET_ACCESS_KEY;
export const DEMO_KEY = DEMO_ACCESS_KEY_ID;
export const SANDBOX_KEY = SANDBOX_ACCESS_KEY_ID;
// Key ids the simulator does not know (or that the script adds itself): any 20 capitals and digits.
export const UNKNOWN_KEY = 'HERALDWRONGKEY000001';
export const SLOW_SANDBOX_KEY = 'HERALDSLOWSANDBOX001';

/** A copy of a preset simulator account under a new key, answering every call slowly. */
export async function slowCopyOf(herald: TestHerald, presetKey: string, newKey: string, latencyMs: number) {
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

export async function fillKeys(page: Page, accessKeyId: string, sender: string) {
	await page.getByLabel('AWS Access Key ID').fill(accessKeyId);
	await page.getByLabel('Secret Access Key').fill(SECRET);
	const field = page.getByLabel('Verified sender');
	if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(sender);
	else await field.fill(sender);
}

export async function status(page: Page, word: string) {
	await page
		.getByTestId('ses-status')
		.locator(':scope > span', { hasText: word })
		.first()
		.waitFor({ state: 'visible' });
}
