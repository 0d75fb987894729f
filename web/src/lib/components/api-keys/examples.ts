/** What the "Send your first email" examples are filled in with. */
export interface ExampleValues {
	/** Herald's own address, e.g. https://herald.example.com. */
	origin: string;
	/** The key just created on this page, else a placeholder. */
	apiKey: string;
	/** "Acme <news@acme.test>": the tenant's connected sender. */
	from: string;
}

export const KEY_PLACEHOLDER = 'hk_…';
export const SENDER_PLACEHOLDER = 'you@your-domain.com';

/** `Acme <news@acme.test>`; quoted when the name has characters an address header can't hold bare. */
export function fromHeader(name: string | null | undefined, address: string): string {
	if (!name) return address;
	const safe = /^[\w .'-]+$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
	return `${safe} <${address}>`;
}

function message(from: string) {
	return {
		from,
		to: 'someone@example.com',
		subject: 'Your receipt for order 1042',
		html: '<p>Thanks for your order!</p>',
		tags: [{ name: 'type', value: 'receipt' }]
	};
}

/** One line per shell argument, so it can be read and edited before running. */
export function curlExample({ origin, apiKey, from }: ExampleValues): string {
	// One field a line, each value compact; single quotes around the body: the shell leaves
	// everything inside alone, except a single quote.
	const fields = Object.entries(message(from)).map(([name, value]) => `    ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
	const body = `{\n${fields.join(',\n')}\n  }`.replace(/'/g, `'\\''`);
	return [
		`curl -X POST ${origin}/api/v1/emails \\`,
		`  -H 'Authorization: Bearer ${apiKey}' \\`,
		`  -H 'Content-Type: application/json' \\`,
		`  -H 'Idempotency-Key: order-1042-receipt' \\`,
		`  -d '${body}'`
	].join('\n');
}

export function typescriptExample({ origin, apiKey, from }: ExampleValues): string {
	const m = message(from);
	return `import { createHeraldClient } from '@herald/server/client';

const herald = createHeraldClient({
  url: '${origin}',
  // Better kept in an environment variable or your secrets manager.
  apiKey: process.env.HERALD_API_KEY ?? '${apiKey}',
});

const email = await herald.emails.send.mutate({
  from: ${JSON.stringify(m.from)},
  to: ${JSON.stringify(m.to)},
  subject: ${JSON.stringify(m.subject)},
  html: ${JSON.stringify(m.html)},
  tags: [{ name: 'type', value: 'receipt' }],
  // A retry with the same key never sends twice.
  idempotencyKey: 'order-1042-receipt',
});
console.log(email.id, email.status); // e.g. "queued"`;
}
