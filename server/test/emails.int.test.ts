import { describe, expect, it, vi } from 'vitest';
import { agent } from './agent.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * The transactional email API (emails.send / REST /api/v1/emails) through
 * real HTTP, the worker's priority runner and the SES simulator, with the
 * simulator's events coming back through the webhook.
 */
const h = useHeraldWithSimulator({ roles: { http: true, worker: true }, simulatorEvents: true, simulator: { events: { deliveryDelayMs: [10, 30], openDelayMs: [10, 30], clickDelayMs: [10, 30] } } });

async function apiKeyOf(sender: Sender): Promise<string> {
  return (await sender.agent.trpc.apiKeys.create.mutate({ name: 'Billing service' })).key;
}

const sentEmail = (sender: Sender, id: string, status = 'sent') =>
  vi.waitFor(
    async () => {
      const email = await sender.agent.trpc.emails.get.query({ id });
      expect(email.sendStatus).toBe(status);
      return email;
    },
    { timeout: 15_000, interval: 50 },
  );

const accepted = (sender: Sender) => h.sim.state.messagesOf(sender.accountId);

describe('emails.send', () => {
  it('sends html, text, both, and a body with cc, bcc, reply-to, headers, tags and attachments, with one SES call each', async () => {
    const sender = await readySender(h.herald, h.sim);
    const service = agent(h.herald.url, { bearer: await apiKeyOf(sender) });
    const html = await service.trpc.emails.send.mutate({ from: 'Sender <news@sender.test>', to: 'ada@inbox.test', subject: 'Your receipt', html: '<p>Thanks!</p>' });
    expect(html).toMatchObject({ status: 'queued', recipients: [{ email: 'ada@inbox.test', status: 'accepted' }] });
    const text = await service.trpc.emails.send.mutate({ from: 'news@sender.test', to: ['bob@inbox.test'], subject: 'Plain', text: 'Just text.' });
    const full = await service.trpc.emails.send.mutate({
      from: 'news@sender.test',
      to: ['cy@inbox.test', 'Dee@Inbox.test'],
      cc: 'eve@inbox.test',
      bcc: ['fay@inbox.test', 'cy@inbox.test'],
      replyTo: 'help@sender.test',
      subject: 'Your invoice',
      html: '<p>Attached.</p>',
      text: 'Attached.',
      headers: { 'X-Invoice': 'INV-7', 'In-Reply-To': '<abc@sender.test>' },
      tags: [{ name: 'kind', value: 'invoice' }],
      attachments: [{ filename: 'invoice.txt', contentType: 'text/plain', content: Buffer.from('total: 42').toString('base64') }],
    });
    // cy@ twice: once is enough; addresses are compared without case.
    expect(full.recipients.map((r) => r.email).sort()).toEqual(['cy@inbox.test', 'dee@inbox.test', 'eve@inbox.test', 'fay@inbox.test']);

    const [e1, e2, e3] = await Promise.all([sentEmail(sender, html.id), sentEmail(sender, text.id), sentEmail(sender, full.id)]);
    expect(e1.html).toBe('<p>Thanks!</p>');
    expect(e2.text).toBe('Just text.');
    expect(e3.attachments).toEqual([{ filename: 'invoice.txt', contentType: 'text/plain', size: 9 }]);
    // Built by the send job (no attachments) or at acceptance (attachments): its size is known once sent.
    for (const e of [e1, e2, e3]) expect(e.size).toBeGreaterThan(200);
    const ses = accepted(sender);
    expect(ses).toHaveLength(3);
    const invoice = ses.find((m) => m.subject === 'Your invoice');
    expect(invoice?.destinations.sort()).toEqual(['cy@inbox.test', 'dee@inbox.test', 'eve@inbox.test', 'fay@inbox.test']);
    expect(invoice?.tags).toMatchObject({ herald_email: full.id, herald_tenant: sender.tenantId, kind: 'invoice' });
    const header = (name: string) => invoice?.headers.find((x) => x.name.toLowerCase() === name.toLowerCase())?.value;
    expect(header('X-Invoice')).toBe('INV-7');
    expect(header('Reply-To')).toBe('help@sender.test');
    expect(header('Cc')).toBe('eve@inbox.test');
    expect(header('Bcc')).toBeUndefined();
    expect(header('From')).toBe('news@sender.test');

    // Delivery events come back through the webhook to each recipient.
    await vi.waitFor(async () => {
      const seen = await sender.agent.trpc.emails.get.query({ id: full.id });
      expect(seen.recipients.every((r) => ['delivered', 'opened', 'clicked'].includes(r.status))).toBe(true);
      expect(seen.timeline.map((t) => t.type)).toContain('Delivery');
      expect(seen.status).toMatch(/delivered|opened|clicked/);
    }, { timeout: 15_000, interval: 100 });
  });

  it('refuses suppressed and unsubscribed recipients one by one, and queues nothing when all are refused', async () => {
    const sender = await readySender(h.herald, h.sim);
    await sender.agent.trpc.suppressions.add.mutate({ email: 'gone@inbox.test' });
    await sender.agent.trpc.contacts.create.mutate({ email: 'left@inbox.test' });
    await h.herald.deps.sql`update contacts set status = 'unsubscribed' where tenant_id = ${sender.tenantId} and email = 'left@inbox.test'`;

    const some = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: ['gone@inbox.test', 'ok@inbox.test'], cc: 'left@inbox.test', subject: 'Hi', text: 'Hi' });
    expect(some.status).toBe('queued');
    expect(some.recipients).toEqual([
      { email: 'gone@inbox.test', status: 'refused', reason: expect.stringMatching(/suppression list/) },
      { email: 'ok@inbox.test', status: 'accepted' },
      { email: 'left@inbox.test', status: 'refused', reason: 'This contact unsubscribed.' },
    ]);
    await sentEmail(sender, some.id);
    expect(accepted(sender).map((m) => m.destinations)).toEqual([['ok@inbox.test']]);

    const none = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'gone@inbox.test', subject: 'Hi', text: 'Hi' });
    expect(none.status).toBe('refused');
    const [jobs] = await h.herald.deps.sql`select count(*)::int as n from graphile_worker.jobs where key = ${`email:${none.id}`}`;
    expect(jobs?.n).toBe(0);
    expect((await sender.agent.trpc.emails.get.query({ id: none.id })).sendStatus).toBe('refused');
  });

  it('refuses bad input with every field named, an unverified sender, and an oversize email before queuing it', async () => {
    const sender = await readySender(h.herald, h.sim);
    const bad = await sender.agent.trpc.emails.send
      .mutate({ from: 'not an address', to: [], subject: '', headers: { From: 'ceo@bank.test' }, tags: [{ name: 'herald_x', value: 'y' }] } as never)
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const fields = Object.keys((bad as { data: { fieldErrors: Record<string, string> } }).data.fieldErrors);
    expect(fields).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'headers.From', 'tags.0.name']));

    await expect(sender.agent.trpc.emails.send.mutate({ from: 'ceo@elsewhere.test', to: 'a@inbox.test', subject: 'Hi', text: 'Hi' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { from: expect.any(String) } },
    });

    // 8 MB of random bytes is about 10.7 MB once base64-encoded in the message: over SES's limit.
    const big = Buffer.alloc(8 * 1024 * 1024, 7).toString('base64');
    const key = await apiKeyOf(sender);
    const res = await fetch(`${h.herald.url}/api/v1/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'news@sender.test', to: 'a@inbox.test', subject: 'Big', text: 'See attached', attachments: [{ filename: 'big.bin', content: big }] }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', fieldErrors: { attachments: expect.any(String) } } });
    const [stored] = await h.herald.deps.sql`select count(*)::int as n from emails where tenant_id = ${sender.tenantId}`;
    expect(stored?.n).toBe(0);
    expect(accepted(sender)).toHaveLength(0);

    // Bodies whose worst case passes the limit are measured exactly: 2 × 1.9 M ASCII characters fit…
    const ascii = 'a'.repeat(1_900_000);
    const fits = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'a@inbox.test', subject: 'Long', html: ascii, text: ascii });
    expect(fits.status).toBe('queued');
    // …2 × 1.9 M euro signs (3 bytes each in UTF-8) do not, refused naming the body.
    const euros = '€'.repeat(1_900_000);
    const tooLong = await fetch(`${h.herald.url}/api/v1/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'news@sender.test', to: 'a@inbox.test', subject: 'Longer', html: euros, text: euros }),
    });
    expect(tooLong.status).toBe(413);
    expect(await tooLong.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', fieldErrors: { html: expect.any(String) } } });
    expect((await sentEmail(sender, fits.id)).size).toBeGreaterThan(3_800_000);
    expect(accepted(sender).map((m) => m.subject)).toEqual(['Long']);
  });
});

describe('idempotency', () => {
  it('gives 20 concurrent retries with one key one email and one SES call; a different body under the key is a 409', async () => {
    const sender = await readySender(h.herald, h.sim);
    const key = await apiKeyOf(sender);
    const body = { from: 'news@sender.test', to: 'ada@inbox.test', subject: 'Reset your password', text: 'Code: 1234' };
    const post = (b: object, idempotencyKey = 'reset-ada-1') =>
      fetch(`${h.herald.url}/api/v1/emails`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body: JSON.stringify(b) });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    await sentEmail(sender, id);
    expect(accepted(sender)).toHaveLength(1);

    const conflict = await post({ ...body, text: 'Code: 9999' });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 'CONFLICT', message: expect.stringMatching(/different request/) } });
    // The same key through tRPC is the same key.
    const again = await sender.agent.trpc.emails.send.mutate({ ...body, idempotencyKey: 'reset-ada-1' });
    expect(again.id).toBe(id);
    // Without a key, a retry is a new email.
    const fresh = await (await post(body, 'reset-ada-2')).json() as { id: string };
    expect(fresh.id).not.toBe(id);
  });
});

describe('scheduling and holding', () => {
  it('sends a scheduled email at its time, not before', async () => {
    const sender = await readySender(h.herald, h.sim);
    const at = new Date(Date.now() + 2_500);
    const answer = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'ada@inbox.test', subject: 'Later', text: 'Later', scheduledAt: at.toISOString() });
    expect(answer).toMatchObject({ status: 'scheduled', scheduledAt: at.toISOString() });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(accepted(sender)).toHaveLength(0);
    await sentEmail(sender, answer.id);
    const [message] = accepted(sender);
    expect(Date.parse(message?.acceptedAt ?? '')).toBeGreaterThanOrEqual(at.getTime());
  });

  it('holds emails while the reputation guard has paused the tenant, and says so', async () => {
    const sender = await readySender(h.herald, h.sim, simAccount());
    await h.herald.deps.sql`insert into tenant_reputation (tenant_id, state, paused_at) values (${sender.tenantId}, 'paused', now()) on conflict (tenant_id) do update set state = 'paused'`;
    const answer = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'ada@inbox.test', subject: 'Held', text: 'Held' });
    expect(answer).toMatchObject({ status: 'held', heldReason: expect.stringMatching(/reputation guard/) });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await sender.agent.trpc.emails.get.query({ id: answer.id })).sendStatus).toBe('held');
    expect(accepted(sender)).toHaveLength(0);
  });
});

describe('events and suppression', () => {
  it('a permanent bounce suppresses the address for later emails', async () => {
    const sender = await readySender(h.herald, h.sim);
    const first = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'bounce@simulator.amazonses.com', subject: 'Hi', text: 'Hi' });
    await vi.waitFor(async () => {
      const email = await sender.agent.trpc.emails.get.query({ id: first.id });
      expect(email.status).toBe('bounced');
      expect(email.timeline.map((t) => t.type)).toContain('Bounce');
    }, { timeout: 15_000, interval: 100 });
    const later = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'bounce@simulator.amazonses.com', subject: 'Hi again', text: 'Hi' });
    expect(later).toMatchObject({ status: 'refused', recipients: [{ status: 'refused', reason: expect.stringMatching(/bounced/) }] });
  });
});

describe('following emails', () => {
  it('lists newest first with keyset paging and filters by recipient, status, tag and time', async () => {
    const sender = await readySender(h.herald, h.sim);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: `r${i}@inbox.test`, subject: `N${i}`, text: 'x', tags: [{ name: 'n', value: String(i % 2) }] })).id);
    }
    const first = await sender.agent.trpc.emails.list.query({ limit: 2 });
    expect(first.items.map((e) => e.subject)).toEqual(['N4', 'N3']);
    const second = await sender.agent.trpc.emails.list.query({ limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await sender.agent.trpc.emails.list.query({ limit: 2, cursor: second.nextCursor ?? undefined });
    expect([...second.items, ...third.items].map((e) => e.subject)).toEqual(['N2', 'N1', 'N0']);
    expect(third.nextCursor).toBeNull();
    expect((await sender.agent.trpc.emails.list.query({ recipient: 'R2@inbox.test' })).items.map((e) => e.id)).toEqual([ids[2]]);
    expect((await sender.agent.trpc.emails.list.query({ tag: { name: 'n', value: '1' } })).items.map((e) => e.subject)).toEqual(['N3', 'N1']);
    expect((await sender.agent.trpc.emails.list.query({ since: new Date(Date.now() + 60_000).toISOString() })).items).toEqual([]);
    await Promise.all(ids.map((id) => sentEmail(sender, id)));
    await vi.waitFor(async () => expect((await sender.agent.trpc.emails.list.query({ status: 'delivered' })).items).toHaveLength(5), { timeout: 15_000, interval: 100 });
    await expect(sender.agent.trpc.emails.list.query({ status: 'nope' } as never)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it('keeps tenants apart: another tenant can neither read an email nor reuse its idempotency key', async () => {
    const a = await readySender(h.herald, h.sim, simAccount(), 'Alpha');
    const b = await readySender(h.herald, h.sim, simAccount(), 'Beta');
    const sent = await a.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'x@inbox.test', subject: 'Private', text: 'x', idempotencyKey: 'shared-key' });
    await expect(b.agent.trpc.emails.get.query({ id: sent.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    const bKey = await apiKeyOf(b);
    const res = await fetch(`${h.herald.url}/api/v1/emails/${sent.id}`, { headers: { authorization: `Bearer ${bKey}` } });
    expect(res.status).toBe(404);
    expect((await b.agent.trpc.emails.list.query({})).items).toEqual([]);
    // The same key in another tenant is that tenant's own key: a new email, no conflict.
    const theirs = await b.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'y@inbox.test', subject: 'Other', text: 'y', idempotencyKey: 'shared-key' });
    expect(theirs.id).not.toBe(sent.id);
    const noAuth = await fetch(`${h.herald.url}/api/v1/emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noAuth.status).toBe(401);
  });

  it('keeps tenants apart when their requests share lookups and commits: each key its tenant, each tenant its own suppressions', async () => {
    const a = await readySender(h.herald, h.sim, simAccount(), 'Gamma');
    const b = await readySender(h.herald, h.sim, simAccount(), 'Delta');
    await a.agent.trpc.suppressions.add.mutate({ email: 'shared@inbox.test' });
    const keys = { a: await apiKeyOf(a), b: await apiKeyOf(b) };
    // 40 requests at once, alternating tenants: API keys, recipient checks and stores are batched across them.
    const sends = Array.from({ length: 40 }, (_, i) => {
      const who = i % 2 === 0 ? 'a' : 'b';
      return fetch(`${h.herald.url}/api/v1/emails`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'news@sender.test', to: ['shared@inbox.test', `${who}${i}@inbox.test`], subject: `For ${who}`, text: 'x' }),
      }).then(async (res) => ({ who, status: res.status, body: (await res.json()) as { id: string; recipients: { email: string; status: string }[] } }));
    });
    const answers = await Promise.all(sends);
    for (const { who, status, body } of answers) {
      expect(status).toBe(202);
      expect(body.recipients.find((r) => r.email === 'shared@inbox.test')?.status).toBe(who === 'a' ? 'refused' : 'accepted');
    }
    const listed = async (s: Sender) => (await s.agent.trpc.emails.list.query({ limit: 100 })).items.map((e) => e.subject);
    expect(await listed(a)).toEqual(Array.from({ length: 20 }, () => 'For a'));
    expect(await listed(b)).toEqual(Array.from({ length: 20 }, () => 'For b'));
    await vi.waitFor(() => expect(accepted(a).length + accepted(b).length).toBe(40), { timeout: 15_000 });
    expect(accepted(a).every((m) => m.subject === 'For a' && !m.destinations.includes('shared@inbox.test'))).toBe(true);
    expect(accepted(b).every((m) => m.subject === 'For b' && m.destinations.includes('shared@inbox.test'))).toBe(true);
  });
});
