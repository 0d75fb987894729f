import type { Page } from 'playwright-core';
import { shoot } from './shoot.js';

/** A service's calls, made with the API key created on the API keys page. */
function api(base: string, apiKey: string) {
	const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
	return {
		async send(idempotencyKey: string, body: Record<string, unknown>) {
			const res = await fetch(`${base}/api/v1/emails`, { method: 'POST', headers: { ...headers, 'idempotency-key': idempotencyKey }, body: JSON.stringify(body) });
			if (res.status !== 202) throw new Error(`send refused: ${res.status} ${await res.text()}`);
			return (await res.json()) as { id: string };
		},
		async createTemplate(input: Record<string, unknown>) {
			const res = await fetch(`${base}/trpc/templates.create`, { method: 'POST', headers, body: JSON.stringify(input) });
			if (!res.ok) throw new Error(`templates.create refused: ${res.status} ${await res.text()}`);
		}
	};
}

const RECEIPT_HTML = [
	'<div style="font-family: Helvetica, Arial, sans-serif; max-width: 560px; margin: 0 auto; color: #18181b">',
	'  <h1 style="color: #4f46e5">Thanks for your order, {{ first_name }}!</h1>',
	'  <p>Order <strong>#{{ order_id }}</strong> is confirmed. We will email you again when it ships.</p>',
	'  <p style="font-size: 20px">Total: {{ total }}</p>',
	'  <p>Acme Outfitters</p>',
	'</div>'
].join('\n');

/** Transactional email: a template written in the editor, emails sent through the API, the log and one email. */
export async function transactional(page: Page, base: string, apiKey: string) {
	const service = api(base, apiKey);

	await page.goto(`${base}/emails`);
	await page.getByText('No transactional emails yet').waitFor();
	await shoot(page, 'emails-empty');

	await page.goto(`${base}/templates/new`);
	await page.getByLabel('Template name').fill('Order receipt');
	await page.getByLabel('Description (optional)').fill('Sent by the shop when an order is paid');
	await page.getByLabel('Subject').fill('Your Acme order #{{ order_id }} is confirmed');
	await page.getByLabel('HTML body').fill(RECEIPT_HTML);
	for (const [name, sample, required] of [['first_name', 'Maria', false], ['order_id', '10427', true], ['total', '$148.00', true]] as const) {
		await page.getByRole('button', { name: 'Add variable' }).click();
		await page.getByLabel('Variable name').last().fill(name);
		await page.getByLabel('Sample value').last().fill(sample);
		if (required) await page.getByLabel('Required').last().check();
	}
	await page.getByRole('button', { name: 'Save template' }).click();
	await page.waitForURL((url) => /^\/templates\/[0-9a-f-]{36}$/.test(url.pathname));
	const receiptId = new URL(page.url()).pathname.split('/').pop() ?? '';
	// A second save with a changed subject: version 2, listed under the preview.
	await page.getByLabel('Subject').fill('Order #{{ order_id }} is confirmed: thanks, {{ first_name }}!');
	await page.getByRole('button', { name: 'Save as new version' }).click();
	await page.getByTestId('template-save-state').getByText('Version 2').waitFor();
	await page.frameLocator('iframe[title="HTML preview of the template"]').getByText('Thanks for your order, Maria!').waitFor();
	await shoot(page, 'template-editor');

	await service.createTemplate({
		name: 'Password reset',
		description: 'The link to choose a new password',
		subject: 'Reset your Acme password',
		html: '<p>Hi {{ first_name | default: "there" }}, choose a new password: <a href="{{ link }}">reset it</a>.</p>',
		variables: [{ name: 'link', required: true, sample: 'https://acme-outfitters.test/reset/abc' }]
	});
	await service.createTemplate({ name: 'Shipping update', subject: 'Your order #{{ order_id }} has shipped', text: 'Track it here: {{ tracking_url }}' });
	await page.goto(`${base}/templates`);
	await page.getByTestId('templates-table').waitFor();
	await shoot(page, 'templates');

	const from = 'Acme Outfitters <demo@herald.test>';
	const orders: Array<[string, string, string, string]> = [
		['Jonas', 'jonas.weber@example.com', '10427', '$148.00'],
		['Aiko', 'aiko.tanaka@example.com', '10428', '$62.50'],
		['Priya', 'priya.nair@example.com', '10429', '$219.99']
	];
	for (const [first_name, to, order_id, total] of orders) {
		await service.send(`order-${order_id}`, { from, to, templateId: receiptId, variables: { first_name, order_id, total }, tags: [{ name: 'type', value: 'receipt' }] });
	}
	const detail = await service.send('welcome-lea', {
		from,
		to: 'lea.martin@example.com',
		cc: 'success@simulator.amazonses.com',
		replyTo: 'help@acme-outfitters.test',
		subject: 'Welcome to Acme Outfitters, Léa',
		html: '<div style="font-family: Helvetica, Arial, sans-serif"><h1 style="color:#4f46e5">Welcome, Léa!</h1><p>Your account is ready. Your invoice is attached.</p></div>',
		text: 'Welcome, Léa! Your account is ready. Your invoice is attached.',
		tags: [{ name: 'type', value: 'welcome' }, { name: 'plan', value: 'gold' }],
		attachments: [{ filename: 'invoice-10430.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 a small invoice\n'.repeat(40)).toString('base64') }]
	});
	await service.send('bounce-check', { from, to: 'bounce@simulator.amazonses.com', subject: 'Your Acme order has shipped', text: 'It is on its way.', tags: [{ name: 'type', value: 'shipping' }] });

	// The log once every email has its outcome (the page updates itself; the shot waits for it).
	await page.goto(`${base}/emails`);
	await page.getByTestId('emails-table').waitFor();
	await page.waitForFunction(
		() => {
			const statuses = [...document.querySelectorAll('[data-testid="email-status"]')].map((el) => el.getAttribute('data-status'));
			return statuses.length === 5 && statuses.every((s) => s === 'delivered' || s === 'opened' || s === 'clicked' || s === 'bounced');
		},
		undefined,
		{ timeout: 60_000, polling: 500 }
	);
	await shoot(page, 'emails');

	await page.goto(`${base}/emails/${detail.id}`);
	await page.getByTestId('email-timeline').getByText('Delivered').first().waitFor({ timeout: 30_000 });
	await page.frameLocator('iframe[title="HTML version of the email"]').getByText('Welcome, Léa!').waitFor();
	await shoot(page, 'email-detail');
}
