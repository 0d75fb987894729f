import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { parseKeyring } from '../src/crypto/keyring.js';
import { signUnsubscribeToken } from '../src/services/audience/unsubscribeTokens.js';
import { signedUpAgent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald();
let tenantId: string;
let contactId: string;
let otherTenantId: string;
beforeAll(async () => {
  const a = await signedUpAgent(h.herald.url, 'Unsub');
  tenantId = a.account.tenant.id;
  contactId = (await a.agent.trpc.contacts.create.mutate({ email: 'reader@example.com' })).id;
  otherTenantId = (await signedUpAgent(h.herald.url, 'Elsewhere')).account.tenant.id;
});

const token = (claims: { tenantId: string; contactId: string; campaignId: string | null }, keyring = h.herald.deps.keyring) => signUnsubscribeToken(keyring, claims);
const state = async () => {
  const [contact] = await h.herald.deps.sql`select status from contacts where id = ${contactId}`;
  const suppressions = await h.herald.deps.sql`select reason, source from suppressions where tenant_id = ${tenantId}`;
  return { status: contact?.status, suppressions };
};

it('GET shows a confirmation page and does not unsubscribe (link scanners)', async () => {
  const res = await fetch(`${h.herald.url}/u/${token({ tenantId, contactId, campaignId: null })}`);
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('reader@example.com');
  expect(html).toContain('<form method="post">');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await state()).toEqual({ status: 'subscribed', suppressions: [] });
});

it('forged, tampered and foreign tokens are refused and change nothing', async () => {
  const genuine = token({ tenantId, contactId, campaignId: null });
  const [keyId, payload, mac] = genuine.split('.') as [string, string, string];
  const tampered = `${keyId}.${Buffer.from(JSON.stringify([tenantId, contactId, 'x'])).toString('base64url')}.${mac}`;
  const otherInstallation = token({ tenantId, contactId, campaignId: null }, parseKeyring(`test:${randomBytes(32).toString('base64')}`));
  const wrongTenant = token({ tenantId: otherTenantId, contactId, campaignId: null });
  for (const bad of ['garbage', `${keyId}.${payload}.${'A'.repeat(43)}`, tampered, otherInstallation]) {
    const post = await fetch(`${h.herald.url}/u/${bad}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(400);
    expect(await post.text()).toContain('not valid');
  }
  // Genuinely signed, but naming a contact of another tenant: there is nothing of theirs to unsubscribe.
  const foreign = await fetch(`${h.herald.url}/u/${wrongTenant}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
  expect(foreign.status).toBe(404);
  expect(await state()).toEqual({ status: 'subscribed', suppressions: [] });
});

it('one-click POST without cookies unsubscribes, idempotently, and suppresses the address', async () => {
  const campaignId = '00000000-0000-4000-8000-0000000000c1';
  const url = `${h.herald.url}/u/${token({ tenantId, contactId, campaignId })}`;
  for (let i = 0; i < 2; i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
  }
  expect(await state()).toEqual({ status: 'unsubscribed', suppressions: [{ reason: 'unsubscribe', source: `campaign ${campaignId}` }] });
  // A multipart one-click body (RFC 8058 allows it) works too.
  const multipart = new FormData();
  multipart.set('List-Unsubscribe', 'One-Click');
  expect((await fetch(url, { method: 'POST', body: multipart })).status).toBe(200);
  // Afterwards the page says so instead of offering the button again.
  expect(await (await fetch(url)).text()).toContain('You are unsubscribed');
});
