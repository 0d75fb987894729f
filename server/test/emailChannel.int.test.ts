import { beforeEach, describe, expect, inject, it } from 'vitest';
import { simAccountSchema } from '../src/dev/accounts.js';
import {
  DEMO_ACCESS_KEY_ID,
  DEMO_ACCOUNT_ID,
  DEMO_SECRET_ACCESS_KEY,
  NO_IDENTITIES_ACCESS_KEY_ID,
  NO_QUOTA_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_ID,
} from '../src/dev/sesSimulator.js';
import { freePort, startTestHerald } from '../src/testing/index.js';
import { signedUpAgent, type Agent } from './agent.js';
import { recordingFetch } from './recordingFetch.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Connecting a tenant's SES account, through the real AWS SDK against the
 * local simulator. Every response body and log line of the file is scanned
 * for the secrets at the end.
 */

const responses = recordingFetch();
const demo = { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY, region: 'us-east-1' as const };
// A second, private key pair that must never show up anywhere.
const PRIVATE_KEY_ID = 'AKIAPRIVATEKEY000042';
const PRIVATE_SECRET = 'private-secret-Zm9vYmFyYmF6cXV4cXV1eA';

const h = useHeraldWithSimulator({
  simulator: {
    accounts: [
      {
        accessKeyId: PRIVATE_KEY_ID,
        secretAccessKey: PRIVATE_SECRET,
        accountId: '999988887777',
        identities: [{ identity: 'team@private.test', status: 'Success' }],
        maxSendRate: 50,
        max24HourSend: 100_000,
      },
    ],
  },
});

async function channelRow(tenantId: string) {
  const [row] = await h.herald.deps.sql`select * from tenant_channel_settings where tenant_id = ${tenantId}`;
  return row ?? null;
}

let owner: Agent;
let tenantId: string;
beforeEach(async () => {
  const signed = await signedUpAgent(h.herald.url, 'Channel');
  owner = signed.agent;
  tenantId = signed.account.tenant.id;
});

describe('connect', () => {
  it('connects with valid keys and a verified sender, storing the keys encrypted', async () => {
    const view = await owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'demo@herald.test' });
    expect(view).toMatchObject({
      connected: true,
      region: 'us-east-1',
      senderEmail: 'demo@herald.test',
      accessKeyIdMasked: '••••0001',
      accountId: DEMO_ACCOUNT_ID,
      quota: { maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 0 },
      sandbox: false,
      lastError: null,
      webhookUrl: `${h.herald.url}/webhooks/email`,
    });
    expect(view.identities).toEqual(
      expect.arrayContaining([
        { identity: 'demo@herald.test', type: 'email', status: 'Success' },
        { identity: 'herald.test', type: 'domain', status: 'Success' },
        { identity: 'pending@herald.test', type: 'email', status: 'Pending' },
      ]),
    );
    expect(await owner.trpc.channels.email.get.query()).toEqual({
      ...Object.fromEntries(Object.entries(view).filter(([k]) => k !== 'identities')),
      heraldSentLast24Hours: 0,
    });

    const row = await channelRow(tenantId);
    expect(row?.is_connected).toBe(true);
    expect(row?.aws_access_key_id).toMatch(/^v1\.test\./);
    expect(JSON.stringify(row)).not.toContain(DEMO_ACCESS_KEY_ID);
    expect(JSON.stringify(row)).not.toContain(DEMO_SECRET_ACCESS_KEY);
    // Connecting reads the account only: nothing was sent.
    expect(h.sim.state.messagesOf(DEMO_ACCOUNT_ID)).toEqual([]);
  });

  it('accepts a sender whose domain is verified, and flags a sandboxed account', async () => {
    const domain = await owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'news@herald.test' });
    expect(domain.senderEmail).toBe('news@herald.test');
    const sandboxed = await owner.trpc.channels.email.connect.mutate({ ...demo, accessKeyId: SANDBOX_ACCESS_KEY_ID, senderEmail: 'sandbox@herald.test' });
    expect(sandboxed).toMatchObject({ sandbox: true, quota: { maxSendRate: 1, max24HourSend: 200 } });
  });

  const failures: Array<[string, Record<string, string>, RegExp, string]> = [
    ['unknown access key', { accessKeyId: 'AKIAHERALDUNKNOWN001' }, /does not recognise this Access Key ID.*InvalidClientTokenId/, 'BAD_REQUEST'],
    ['wrong secret', { secretAccessKey: 'wrong-secret-wrong-secret-wrong' }, /Secret Access Key does not belong.*SignatureDoesNotMatch/, 'BAD_REQUEST'],
    ['missing ses:GetSendQuota', { accessKeyId: NO_QUOTA_ACCESS_KEY_ID }, /not allowed to call ses:GetSendQuota.*AccessDenied/, 'BAD_REQUEST'],
    ['missing ses:ListIdentities', { accessKeyId: NO_IDENTITIES_ACCESS_KEY_ID }, /not allowed to call ses:ListIdentities.*AccessDenied/, 'BAD_REQUEST'],
    ['unverified sender', { senderEmail: 'someone@elsewhere.test' }, /someone@elsewhere\.test is not a verified sender.*Verified identities: .*demo@herald\.test/, 'BAD_REQUEST'],
  ];
  it.each(failures)('%s: a clear message, and nothing stored', async (_name, change, message, code) => {
    const attempt = owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'demo@herald.test', ...change });
    await expect(attempt).rejects.toMatchObject({ message: expect.stringMatching(message), data: { code } });
    expect(await channelRow(tenantId)).toBeNull();
    expect((await owner.trpc.channels.email.get.query()).connected).toBe(false);
  });

  it('an unsupported region is refused before AWS is called', async () => {
    const attempt = owner.trpc.channels.email.connect.mutate({ ...demo, region: 'mars-north-1' as 'us-east-1', senderEmail: 'demo@herald.test' });
    await expect(attempt).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { region: 'Amazon SES is not offered in that region. Pick one from the list.' } } });
  });

  it('AWS errors on the server side and throttling are explained', async () => {
    h.sim.state.putAccount(simAccountSchema.parse({ accessKeyId: 'AKIAHERALDBROKEN0001', secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: '123412341234', failures: { serverError: 503 } }));
    await expect(owner.trpc.channels.email.connect.mutate({ ...demo, accessKeyId: 'AKIAHERALDBROKEN0001', senderEmail: 'demo@herald.test' })).rejects.toMatchObject({
      message: expect.stringMatching(/had a problem answering.*ServiceUnavailable/),
      data: { code: 'BAD_GATEWAY', httpStatus: 502 },
    });
    h.sim.state.putAccount(simAccountSchema.parse({ accessKeyId: 'AKIAHERALDTHROTTLE01', secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: '123412341235', failures: { throttleAll: true } }));
    await expect(owner.trpc.channels.email.connect.mutate({ ...demo, accessKeyId: 'AKIAHERALDTHROTTLE01', senderEmail: 'demo@herald.test' })).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    expect(await channelRow(tenantId)).toBeNull();
  });

  it('a failed re-connect leaves the earlier working connection as it was', async () => {
    await owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'demo@herald.test' });
    const before = await channelRow(tenantId);
    await expect(owner.trpc.channels.email.connect.mutate({ ...demo, secretAccessKey: 'wrong-secret-wrong-secret-wrong', senderEmail: 'demo@herald.test' })).rejects.toThrow(
      /SignatureDoesNotMatch/,
    );
    await expect(owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'nobody@elsewhere.test' })).rejects.toThrow(/not a verified sender/);
    expect(await channelRow(tenantId)).toEqual(before);
    expect((await owner.trpc.channels.email.verifiedEmails.query()).identities.length).toBeGreaterThan(0);
  });
});

describe('verified identities, disconnect', () => {
  it('lists identities live from SES (Refresh shows a newly verified one)', async () => {
    await owner.trpc.channels.email.connect.mutate({ accessKeyId: PRIVATE_KEY_ID, secretAccessKey: PRIVATE_SECRET, region: 'eu-west-1', senderEmail: 'team@private.test' });
    expect((await owner.trpc.channels.email.verifiedEmails.query()).identities).toEqual([{ identity: 'team@private.test', type: 'email', status: 'Success' }]);
    h.sim.state.putAccount(
      simAccountSchema.parse({
        accessKeyId: PRIVATE_KEY_ID,
        secretAccessKey: PRIVATE_SECRET,
        accountId: '999988887777',
        identities: [
          { identity: 'team@private.test', status: 'Success' },
          { identity: 'private.test', status: 'Pending' },
        ],
      }),
    );
    expect((await owner.trpc.channels.email.verifiedEmails.query()).identities).toEqual([
      { identity: 'private.test', type: 'domain', status: 'Pending' },
      { identity: 'team@private.test', type: 'email', status: 'Success' },
    ]);
  });

  it('verifiedEmails before connecting says to connect first', async () => {
    await expect(owner.trpc.channels.email.verifiedEmails.query()).rejects.toMatchObject({
      data: { code: 'PRECONDITION_FAILED' },
      message: expect.stringContaining('Settings → Channels'),
    });
  });

  it('records the error when the stored keys stop working', async () => {
    h.sim.state.putAccount(simAccountSchema.parse({ accessKeyId: 'AKIAHERALDREVOKED001', secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: '555566667777', identities: [{ identity: 'x@revoked.test', status: 'Success' }] }));
    await owner.trpc.channels.email.connect.mutate({ ...demo, accessKeyId: 'AKIAHERALDREVOKED001', senderEmail: 'x@revoked.test' });
    h.sim.state.putAccount(simAccountSchema.parse({ accessKeyId: 'AKIAHERALDREVOKED001', secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: '555566667777', failures: { invalidKey: true } }));
    await expect(owner.trpc.channels.email.verifiedEmails.query()).rejects.toThrow(/InvalidClientTokenId/);
    expect((await owner.trpc.channels.email.get.query()).lastError).toMatch(/InvalidClientTokenId/);
  });

  it('disconnect removes the keys from the row', async () => {
    await owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'demo@herald.test' });
    const view = await owner.trpc.channels.email.disconnect.mutate();
    expect(view).toMatchObject({ connected: false, accessKeyIdMasked: null, accountId: null, quota: null });
    const row = await channelRow(tenantId);
    expect(row).toMatchObject({ is_connected: false, aws_access_key_id: null, aws_secret_access_key: null });
    await expect(owner.trpc.channels.email.verifiedEmails.query()).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' } });
  });

  it('a ciphertext copied into another tenant\'s row does not decrypt there', async () => {
    await owner.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'demo@herald.test' });
    const victim = await signedUpAgent(h.herald.url, 'Victim');
    const source = await channelRow(tenantId);
    await h.herald.deps.sql`insert into tenant_channel_settings (tenant_id, aws_access_key_id, aws_secret_access_key, ses_region, verified_sender_email, is_connected)
      values (${victim.account.tenant.id}, ${source?.aws_access_key_id}, ${source?.aws_secret_access_key}, 'us-east-1', 'demo@herald.test', true)`;
    const view = await victim.agent.trpc.channels.email.get.query();
    expect(view.accessKeyIdMasked).toBeNull();
    expect(view.lastError).toMatch(/cannot be decrypted.*another tenant/);
    await expect(victim.agent.trpc.channels.email.verifiedEmails.query()).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' } });
  });
});

describe('checkKeys', () => {
  it('lists the account\'s identities without storing anything', async () => {
    const check = await owner.trpc.channels.email.checkKeys.mutate(demo);
    expect(check.accountId).toBe(DEMO_ACCOUNT_ID);
    expect(check.identities.map((i) => i.identity)).toContain('demo@herald.test');
    expect(await channelRow(tenantId)).toBeNull();
  });
});

describe('AWS unreachable', () => {
  it('says Herald could not reach SES', async () => {
    const offline = await startTestHerald(inject('adminDatabaseUrl'), { env: { SES_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
    try {
      const { agent: a } = await signedUpAgent(offline.url, 'Offline');
      await expect(a.trpc.channels.email.connect.mutate({ ...demo, senderEmail: 'demo@herald.test' })).rejects.toMatchObject({
        message: expect.stringMatching(/could not reach Amazon SES in us-east-1/),
        data: { code: 'BAD_GATEWAY' },
      });
    } finally {
      await offline.stop();
    }
  });
});

describe('REST routes (the original plan)', () => {
  const rest = (path: string, init: RequestInit = {}) =>
    fetch(`${h.herald.url}/api/tenant/channels/email${path}`, {
      ...init,
      headers: { cookie: owner.cookie ?? '', origin: h.herald.url, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });

  it('POST connects, GET reads, GET verified-emails lists, DELETE disconnects', async () => {
    const bad = await rest('/', { method: 'POST', body: JSON.stringify({ ...demo, secretAccessKey: 'wrong-secret-wrong-secret-wrong', senderEmail: 'demo@herald.test' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('SignatureDoesNotMatch'), details: { awsErrorCode: 'SignatureDoesNotMatch' } } });

    const invalid = await rest('/', { method: 'POST', body: JSON.stringify({ accessKeyId: 'nope' }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors).toMatchObject({ accessKeyId: expect.any(String), region: expect.any(String) });

    const malformed = await rest('/', { method: 'POST', body: '{"accessKeyId":' });
    expect(malformed.status).toBe(400);

    const connected = await rest('/', { method: 'POST', body: JSON.stringify({ ...demo, senderEmail: 'demo@herald.test' }) });
    expect(connected.status).toBe(200);
    expect(await connected.json()).toMatchObject({ connected: true, accessKeyIdMasked: '••••0001', identities: expect.any(Array) });

    expect(await (await rest('/')).json()).toMatchObject({ connected: true, senderEmail: 'demo@herald.test' });
    expect(await (await rest('/verified-emails')).json()).toMatchObject({ identities: expect.arrayContaining([{ identity: 'demo@herald.test', type: 'email', status: 'Success' }]) });

    const deleted = await rest('/', { method: 'DELETE', headers: { 'content-type': 'text/plain' } });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ connected: false });
    expect(await channelRow(tenantId)).toMatchObject({ aws_secret_access_key: null });
  });

  it('refuses the unauthenticated, revoked keys and foreign origins', async () => {
    expect((await fetch(`${h.herald.url}/api/tenant/channels/email`)).status).toBe(401);
    const forged = await fetch(`${h.herald.url}/api/tenant/channels/email`, { headers: { authorization: 'Bearer hk_forged' } });
    expect(forged.status).toBe(401);
    const csrf = await rest('/', { method: 'DELETE', headers: { origin: 'https://evil.example' } });
    expect(csrf.status).toBe(403);
    const { key } = await owner.trpc.apiKeys.create.mutate({ name: 'rest' });
    const viaKey = await fetch(`${h.herald.url}/api/tenant/channels/email`, { headers: { authorization: `Bearer ${key}` } });
    expect(viaKey.status).toBe(200);
  });
});

describe('secrets never leave Herald', () => {
  it('no response body or log line contains a secret or a full access key id', () => {
    expect(responses.bodies.length).toBeGreaterThan(20);
    const everything = [...responses.bodies, ...h.herald.logs].join('\n');
    for (const secret of [DEMO_SECRET_ACCESS_KEY, PRIVATE_SECRET, DEMO_ACCESS_KEY_ID, PRIVATE_KEY_ID, SANDBOX_ACCESS_KEY_ID, NO_QUOTA_ACCESS_KEY_ID]) {
      expect(everything).not.toContain(secret);
    }
  });
});
