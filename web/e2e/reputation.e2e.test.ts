import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, startTestHerald, type TestHerald } from '@herald/server/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, watchedPage } from './browser.js';

const webBuild = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

/** The guard judges from 10 sends, so a small list is enough to trip it. */
const MIN_SENDS = 10;
const READERS = 200;
const PASSWORD = 'analytical engines';

let herald: TestHerald;
let browser: Browser;
beforeAll(async () => {
	// The worker sends; the built-in simulator plays SES and posts its bounces back over signed SNS.
	herald = await startTestHerald(inject('adminDatabaseUrl'), {
		env: { WEB_DIST: webBuild, SES_SIMULATOR: 'on', REPUTATION_MIN_SENDS: String(MIN_SENDS) },
		roles: { http: true, worker: true }
	});
	browser = await launchBrowser();
});
afterAll(async () => {
	await browser?.close();
	await herald?.stop();
});

const sql = () => herald.deps.sql;
const visible = (page: Page, text: string | RegExp) => expect.poll(() => page.getByText(text).first().isVisible(), { timeout: 15_000 });

/** A tRPC mutation as the signed-in page makes it (its cookie, its Origin): setup that the campaigns test already covers by hand. */
async function call<T>(page: Page, procedure: string, input: unknown): Promise<T> {
	const res = await page.request.post(`${herald.url}/trpc/${procedure}`, { data: input, headers: { origin: herald.url } });
	expect(res.status(), await res.text()).toBe(200);
	return ((await res.json()) as { result: { data: T } }).result.data;
}

/** Every other reader is a mailbox-simulator address that hard-bounces: 50 %, far past the 5 % pause level. */
async function bouncyList(page: Page, tenantId: string): Promise<string> {
	const { id } = await call<{ id: string }>(page, 'lists.create', { name: 'Old leads' });
	await sql()`
		with made as (
			insert into contacts (tenant_id, email, first_name)
			select ${tenantId}, case when i % 2 = 0 then 'bounce+lead' || i || '@simulator.amazonses.com' else 'lead' || i || '@example.com' end, 'Lead' || i
			from generate_series(1, ${READERS}) i
			returning id
		)
		insert into list_members (list_id, contact_id, tenant_id) select ${id}, id, ${tenantId} from made`;
	return id;
}

/** A second person of the tenant with the member role (signed up alone first, then moved in). */
async function addMember(tenantId: string, email: string): Promise<void> {
	const res = await fetch(`${herald.url}/trpc/auth.signUp`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: herald.url },
		body: JSON.stringify({ email, password: PASSWORD, tenantName: 'Scratch' })
	});
	const { result } = (await res.json()) as { result: { data: { user: { id: string }; tenant: { id: string } } } };
	await sql()`delete from tenants where id = ${result.data.tenant.id}`;
	await sql()`insert into memberships (tenant_id, user_id, role) values (${tenantId}, ${result.data.user.id}, 'member')`;
}

async function signIn(page: Page, email: string): Promise<void> {
	await page.goto(`${herald.url}/signin`);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => url.pathname === '/');
}

it('the guard pauses a tenant whose list bounces; the banner says why everywhere, and the owner resumes', { timeout: 180_000 }, async () => {
	const { page, problems, close } = await watchedPage(browser);
	await page.goto(`${herald.url}/signup`);
	await page.getByLabel('Email').fill('ada@example.com');
	await page.getByLabel('Company name').fill('Lovelace Mail');
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.waitForURL((url) => url.pathname === '/');
	const me = await page.request.get(`${herald.url}/trpc/auth.me`);
	const tenantId = ((await me.json()) as { result: { data: { tenant: { id: string } } } }).result.data.tenant.id;

	await call(page, 'channels.email.connect', { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY, region: 'us-east-1', senderEmail: 'demo@herald.test' });
	await call(page, 'tenant.updateProfile', { companyName: 'Lovelace Mail', postalAddress: '12 St James’s Square, London SW1Y 4LB' });
	const listId = await bouncyList(page, tenantId);
	const campaign = await call<{ id: string }>(page, 'campaigns.create', {
		name: 'Win-back',
		channel: 'email',
		subject: 'We miss you',
		fromEmail: 'demo@herald.test',
		html: '<p>Hello {{ first_name }}</p>',
		listId
	});
	await call(page, 'campaigns.send', { id: campaign.id });

	// The guard pauses the tenant and its campaign within a batch of events.
	await expect.poll(async () => (await sql()`select state from tenant_reputation where tenant_id = ${tenantId}`)[0]?.state, { timeout: 60_000 }).toBe('paused');
	const [{ reason }] = (await sql()`select reason from tenant_reputation where tenant_id = ${tenantId}`) as unknown as [{ reason: string }];
	expect(reason).toMatch(/^Bounce rate .* is above 5 %: Herald paused sending before Amazon SES reviews your account\. Clean your list, then resume\.$/);

	// On the dashboard: the red banner with the reason and, for the owner, a way to resume; the chart and the rates.
	await page.goto(`${herald.url}/`);
	const banner = page.getByTestId('reputation-banner');
	await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toContain(reason);
	expect(await banner.getByText('Sending paused').isVisible()).toBe(true);
	expect(await banner.getByRole('button', { name: 'Resume sending' }).isVisible()).toBe(true);
	await expect.poll(() => page.locator('[data-testid="sends-chart"] canvas').first().isVisible()).toBe(true);
	await visible(page, /emails sent in the last 30 days/).toBe(true);
	const bounce = page.getByTestId('rate-bounce');
	await expect.poll(() => bounce.getByTestId('rate-bounce-value').textContent()).toMatch(/^\s*\d+(\.\d)? %\s*$/);
	expect(await bounce.getByText('5 % or more').isVisible()).toBe(true);
	expect(await bounce.getByText(/Warning at 2 % · Herald pauses sending at 5 %/).isVisible()).toBe(true);
	await expect.poll(() => page.getByTestId('rate-delivery-value').textContent()).toMatch(/%/);
	const inFlight = page.getByTestId('in-flight');
	await expect.poll(() => inFlight.textContent()).toMatch(/Win-back.*Paused/);

	// It follows the owner to every page.
	await page.getByRole('link', { name: 'Contacts' }).first().click();
	await page.waitForURL('**/contacts');
	await expect.poll(() => banner.textContent()).toContain(reason);

	// A member sees the reason too, and whom to ask, but no button.
	await addMember(tenantId, 'grace@example.com');
	const member = await watchedPage(browser);
	await signIn(member.page, 'grace@example.com');
	const memberBanner = member.page.getByTestId('reputation-banner');
	await expect.poll(() => memberBanner.textContent(), { timeout: 15_000 }).toContain('Ask an owner to resume sending.');
	expect(await memberBanner.textContent()).toContain(reason);
	expect(await memberBanner.getByRole('button', { name: 'Resume sending' }).count()).toBe(0);
	expect(member.problems).toEqual([]);
	await member.close();

	// The owner cleans the list: the bouncing addresses still queued are suppressed, and the last bounces are in.
	await sql()`
		insert into suppressions (tenant_id, email, reason)
		select ${tenantId}, to_address, 'manual' from messages where campaign_id = ${campaign.id} and status = 'queued' and to_address like 'bounce+%'
		on conflict do nothing`;
	await expect
		.poll(async () => {
			const [row] = await sql()`
				select count(*) filter (where m.status = 'sending' or (m.to_address like 'bounce+%' and m.sent_at is not null and m.bounced_at is null))::int as waiting,
					(select count(*)::int from message_events where state = 'pending') as pending
				from messages m where m.campaign_id = ${campaign.id}`;
			return row;
		}, { timeout: 30_000 })
		.toEqual({ waiting: 0, pending: 0 });

	// Resume asks once, then the banner goes and the campaign finishes.
	await page.goto(`${herald.url}/`);
	await banner.getByRole('button', { name: 'Resume sending' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect.poll(() => dialog.getByText(/Resume only once the addresses that bounced or complained are off your lists/).isVisible()).toBe(true);
	await dialog.getByRole('button', { name: 'Resume sending' }).click();
	await visible(page, 'Sending resumed. Campaigns the guard paused are going out again.').toBe(true);
	await expect.poll(() => banner.count()).toBe(0);
	await expect.poll(async () => (await sql()`select status from campaigns where id = ${campaign.id}`)[0]?.status, { timeout: 60_000 }).toBe('sent');
	await visible(page, 'Nothing is sending right now.').toBe(true);
	expect(await banner.count()).toBe(0);

	expect(problems).toEqual([]);
	await close();
});
