import { describe, expect, it, vi } from 'vitest';
import { readySender, simAccount } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/** Sender identities added, verified and removed from Herald, against the simulator's SES identity API. */
const h = useHeraldWithSimulator();

const VERIFY_DELAY_MS = 800;

describe('sender identities', () => {
  it("returns a domain's DNS records, and accepts its addresses as senders once SES has verified it", async () => {
    const account = simAccount({ identityVerificationDelayMs: VERIFY_DELAY_MS });
    const sender = await readySender(h.herald, h.sim, account, 'Domains');
    const added = await sender.agent.trpc.channels.email.identities.add.mutate({ domain: ' Brand.Example.test ' });
    expect(added).toMatchObject({ identity: 'brand.example.test', type: 'domain', status: 'Pending', addedByHerald: true });
    const records = added.records.map((r) => ({ purpose: r.purpose, type: r.type, name: r.name, value: r.value, required: r.required }));
    expect(records.filter((r) => r.purpose === 'verification')).toEqual([
      { purpose: 'verification', type: 'TXT', name: '_amazonses.brand.example.test', value: expect.stringMatching(/^\S{20,}$/), required: true },
    ]);
    const dkim = records.filter((r) => r.purpose === 'dkim');
    expect(dkim).toHaveLength(3);
    for (const r of dkim) {
      const token = r.name.split('.')[0] as string;
      expect(r).toEqual({ purpose: 'dkim', type: 'CNAME', name: `${token}._domainkey.brand.example.test`, value: `${token}.dkim.amazonses.com`, required: true });
    }
    expect(records.filter((r) => !r.required).map((r) => [r.purpose, r.name, r.value])).toEqual([
      ['spf', 'brand.example.test', 'v=spf1 include:amazonses.com ~all'],
      ['dmarc', '_dmarc.brand.example.test', 'v=DMARC1; p=none; rua=mailto:dmarc-reports@brand.example.test'],
    ]);

    const connectAs = (senderEmail: string) =>
      sender.agent.trpc.channels.email.connect.mutate({ accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey, region: 'us-east-1', senderEmail });
    await expect(connectAs('hello@brand.example.test')).rejects.toMatchObject({ message: /hello@brand\.example\.test is not a verified sender/ });

    await vi.waitFor(
      async () => {
        const { identities } = await sender.agent.trpc.channels.email.identities.list.query();
        expect(identities.find((i) => i.identity === 'brand.example.test')).toMatchObject({ status: 'Success', dkim: { enabled: true, status: 'Success' } });
      },
      { timeout: 5_000, interval: 100 },
    );
    const { identities } = await sender.agent.trpc.channels.email.verifiedEmails.query();
    expect(identities).toContainEqual({ identity: 'brand.example.test', type: 'domain', status: 'Success' });
    expect(await connectAs('hello@brand.example.test')).toMatchObject({ connected: true, senderEmail: 'hello@brand.example.test' });
    const { id } = await sender.agent.trpc.campaigns.create.mutate({
      name: 'From the new domain', channel: 'email', subject: 'Hi', fromEmail: 'news@brand.example.test', html: '<p>Hi</p>', listId: sender.listId,
    });
    const check = await sender.agent.trpc.campaigns.sendCheck.query({ id });
    expect(check.problems.map((p) => p.code)).not.toContain('SENDER_NOT_VERIFIED');
  });

  it('adds an address (AWS mails it a link), removes only what Herald added, and names bad input', async () => {
    const sender = await readySender(h.herald, h.sim, simAccount(), 'Addresses');
    const added = await sender.agent.trpc.channels.email.identities.add.mutate({ email: 'Ops@Sender.test' });
    expect(added).toEqual({ identity: 'ops@sender.test', type: 'email', status: 'Pending', dkim: { enabled: false, status: 'NotStarted' }, addedByHerald: true, records: [] });
    const again = await sender.agent.trpc.channels.email.identities.add.mutate({ email: 'ops@sender.test' });
    expect(again.identity).toBe('ops@sender.test');
    const listed = (await sender.agent.trpc.channels.email.identities.list.query()).identities;
    expect(listed.filter((i) => i.identity === 'ops@sender.test')).toHaveLength(1);
    expect(listed.find((i) => i.identity === 'news@sender.test')).toMatchObject({ status: 'Success', addedByHerald: false });

    await expect(sender.agent.trpc.channels.email.identities.remove.mutate({ identity: 'news@sender.test' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
      message: /Herald did not add news@sender\.test/,
    });
    expect((await sender.agent.trpc.channels.email.identities.list.query()).identities.map((i) => i.identity)).toContain('news@sender.test');
    expect(await sender.agent.trpc.channels.email.identities.remove.mutate({ identity: 'ops@sender.test' })).toEqual({ removed: true });
    expect((await sender.agent.trpc.channels.email.identities.list.query()).identities.map((i) => i.identity)).not.toContain('ops@sender.test');

    const bad = async (input: unknown) => sender.agent.trpc.channels.email.identities.add.mutate(input as { email: string }).then(() => null, (e: { message: string; data: { code: string } }) => [e.data.code, e.message]);
    expect(await bad({ domain: 'https://example.com' })).toEqual(['BAD_REQUEST', expect.stringMatching(/Enter a domain like example\.com/)]);
    expect(await bad({ email: 'not-an-address' })).toEqual(['BAD_REQUEST', expect.stringMatching(/valid email address/)]);
    expect(await bad({})).toEqual(['BAD_REQUEST', expect.stringMatching(/email address|domain/)]);
    expect(await bad({ domain: `${'a'.repeat(250)}.test` })).toEqual(['BAD_REQUEST', expect.stringMatching(/at most 253/)]);
  });

  it('answers PRECONDITION_FAILED when SES is not connected', async () => {
    const sender = await readySender(h.herald, h.sim, simAccount(), 'Gone');
    await sender.agent.trpc.channels.email.disconnect.mutate();
    await expect(sender.agent.trpc.channels.email.identities.list.query()).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' } });
    await expect(sender.agent.trpc.channels.email.identities.add.mutate({ domain: 'x.test' })).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' } });
  });
});
