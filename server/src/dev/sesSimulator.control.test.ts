import { GetSendQuotaCommand, SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_SECRET_ACCESS_KEY } from './accounts.js';
import { type SesSimulator, startSesSimulator } from './sesSimulator.js';
import type { PublicSimAccount, SimMessage } from './simulatorState.js';

let sim: SesSimulator;
beforeAll(async () => {
  sim = await startSesSimulator();
});
afterAll(() => sim.stop());

const control = (path: string, init?: RequestInit) => fetch(`${sim.url}/_simulator/${path}`, init);
const putAccount = (accessKeyId: string, body: unknown) =>
  control(`accounts/${accessKeyId}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const client = (accessKeyId: string, secretAccessKey = DEMO_SECRET_ACCESS_KEY) =>
  new SESClient({ endpoint: sim.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
const send = (ses: SESClient, source: string) =>
  ses.send(
    new SendEmailCommand({
      Source: source,
      Destination: { ToAddresses: ['to@example.com'] },
      Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } },
    }),
  );

describe('control endpoints', () => {
  it('GET accounts lists the preset keys without their secrets', async () => {
    const res = await control('accounts');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(DEMO_SECRET_ACCESS_KEY);
    const accounts = JSON.parse(text) as PublicSimAccount[];
    expect(accounts.map((a) => a.accessKeyId)).toEqual([
      'AKIAHERALDDEMO000001',
      'AKIAHERALDSANDBOX001',
      'AKIAHERALDNOQUOTA001',
      'AKIAHERALDNOIDENT001',
    ]);
    expect(accounts[0]).toMatchObject({ accountId: DEMO_ACCOUNT_ID, maxSendRate: 14, max24HourSend: 50_000, sandbox: false });
  });

  it('PUT accounts/:key adds a key the SDK can use at once, and replaces it on a second PUT', async () => {
    const body = {
      secretAccessKey: 'tenant-secret',
      accountId: '123456789012',
      identities: [{ identity: 'ops@tenant.test', status: 'Success' }],
      maxSendRate: 2,
    };
    const res = await putAccount('AKIATENANT0000000001', body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accessKeyId: 'AKIATENANT0000000001', accountId: '123456789012', max24HourSend: 50_000 });
    const ses = client('AKIATENANT0000000001', 'tenant-secret');
    expect((await ses.send(new GetSendQuotaCommand({}))).MaxSendRate).toBe(2);
    await send(ses, 'ops@tenant.test');

    await putAccount('AKIATENANT0000000001', { ...body, failures: { accessDenied: ['GetSendQuota'] } });
    await expect(ses.send(new GetSendQuotaCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('PUT rejects an invalid account with the zod issues, and unknown fields too', async () => {
    const bad = await putAccount('AKIATENANT0000000002', { secretAccessKey: 's', accountId: '12345' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid account', issues: [expect.objectContaining({ path: ['accountId'] })] });
    const typo = await putAccount('AKIATENANT0000000002', { secretAccessKey: 's', accountId: '123456789012', sandbx: true });
    expect(typo.status).toBe(400);
    expect((await putAccount('not-a-key', { secretAccessKey: 's', accountId: '123456789012' })).status).toBe(400);
  });

  it('GET messages lists accepted messages, filtered by accountId; POST reset clears them and the counters', async () => {
    await control('reset', { method: 'POST' });
    await putAccount('AKIATENANT0000000003', {
      secretAccessKey: 'other',
      accountId: '210987654321',
      identities: [{ identity: 'tenant.test', status: 'Success' }],
    });
    await send(client(DEMO_ACCESS_KEY_ID), 'demo@herald.test');
    await send(client('AKIATENANT0000000003', 'other'), 'x@tenant.test');

    const all = (await (await control('messages')).json()) as SimMessage[];
    expect(all.map((m) => m.accountId)).toEqual([DEMO_ACCOUNT_ID, '210987654321']);
    const mine = (await (await control('messages?accountId=210987654321')).json()) as SimMessage[];
    expect(mine.map((m) => m.source)).toEqual(['x@tenant.test']);

    expect((await control('reset', { method: 'POST' })).status).toBe(200);
    expect(await (await control('messages')).json()).toEqual([]);
    expect((await client(DEMO_ACCESS_KEY_ID).send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(0);
  });

  it('GET event-loop reports how late its own loop ran while SES calls came in, in ms; POST event-loop/reset starts over', async () => {
    // A call starts the watch; the test shares the simulator's process, so blocking here blocks it.
    await client(DEMO_ACCESS_KEY_ID).send(new GetSendQuotaCommand({}));
    await control('event-loop/reset', { method: 'POST' });
    const until = performance.now() + 60;
    while (performance.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stalled = (await (await control('event-loop')).json()) as { p50Ms: number; p99Ms: number; maxMs: number; samples: number };
    expect(stalled.maxMs).toBeGreaterThanOrEqual(50);
    expect(stalled.samples).toBeGreaterThan(0);
    expect((await control('event-loop/reset', { method: 'POST' })).status).toBe(200);
    const after = (await (await control('event-loop')).json()) as { maxMs: number };
    expect(after.maxMs).toBeLessThan(50);
  });

  it('answers 404 for unknown control paths and never treats them as AWS calls', async () => {
    expect((await control('nope')).status).toBe(404);
    expect((await control('reset', { method: 'GET' })).status).toBe(404);
  });
});
