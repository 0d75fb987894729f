import { GetSendQuotaCommand, SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SECRET_ACCESS_KEY, type SimAccountInput } from './accounts.js';
import { type SesSimulator, startSesSimulator } from './sesSimulator.js';

const SECRET = DEMO_SECRET_ACCESS_KEY;
const account = (accessKeyId: string, accountId: string, fields: Partial<SimAccountInput> = {}): SimAccountInput => ({
  accessKeyId,
  secretAccessKey: SECRET,
  accountId,
  identities: [{ identity: 'acme.test', status: 'Success' }],
  ...fields,
});
const client = (sim: SesSimulator, accessKeyId: string) =>
  new SESClient({ endpoint: sim.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: SECRET }, maxAttempts: 1 });
const send = (ses: SESClient, to = 'someone@example.com') =>
  ses.send(
    new SendEmailCommand({
      Source: 'news@acme.test',
      Destination: { ToAddresses: [to] },
      Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } },
    }),
  );
type Failure = { name: string; message: string; $metadata: { httpStatusCode?: number } };
const describeFailure = (e: Failure) => ({ name: e.name, message: e.message, status: e.$metadata.httpStatusCode });

describe('sending rate and daily quota (driven clock)', () => {
  // A driven clock makes "within one second" exact however slowly a busy machine serves the requests.
  let now = Date.UTC(2026, 0, 1, 12);
  let sim: SesSimulator;
  beforeAll(async () => {
    sim = await startSesSimulator({
      clock: () => now,
      accounts: [
        account('AKIATESTRATE00000001', '100000000001', { maxSendRate: 5 }),
        account('AKIATESTDAILY0000001', '100000000002', { maxSendRate: 100, max24HourSend: 3 }),
      ],
    });
  });
  afterAll(() => sim.stop());

  it('accepts exactly maxSendRate sends in one second, throttles the rest, and recovers after the second', async () => {
    const ses = client(sim, 'AKIATESTRATE00000001');
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => send(ses)));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [describeFailure(r.reason as Failure)] : []));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejected).toHaveLength(25);
    expect(new Set(rejected.map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify({ name: 'Throttling', message: 'Maximum sending rate exceeded.', status: 400 })]),
    );

    now += 999;
    expect(describeFailure((await send(ses).catch((e: unknown) => e)) as Failure).name).toBe('Throttling');
    now += 2;
    await expect(send(ses)).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(sim.state.messagesOf('100000000001')).toHaveLength(6);
    // Every refusal is counted for the account, and shown on the control route.
    expect(sim.state.rateRefusals.get('100000000001')).toBe(26);
    expect(await (await fetch(`${sim.url}/_simulator/rate-refusals`)).json()).toMatchObject({ '100000000001': 26 });
  });

  it('throttles beyond the 24-hour quota with the daily message, mailbox-simulator recipients aside', async () => {
    const ses = client(sim, 'AKIATESTDAILY0000001');
    for (let i = 0; i < 3; i += 1) await send(ses);
    await send(ses, 'success@simulator.amazonses.com');
    expect(describeFailure((await send(ses).catch((e: unknown) => e)) as Failure)).toEqual({
      name: 'Throttling',
      message: 'Daily message quota exceeded.',
      status: 400,
    });
    expect((await ses.send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(3);

    now += 24 * 60 * 60 * 1000 + 1;
    await send(ses);
    expect((await ses.send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(1);
  });
});

describe('sending rate (wall clock)', () => {
  let sim: SesSimulator;
  beforeAll(async () => {
    sim = await startSesSimulator({ accounts: [account('AKIATESTWALL00000001', '100000000003', { maxSendRate: 5 })] });
  });
  afterAll(() => sim.stop());

  it('never accepts more than maxSendRate in any one-second window, and sends again a second later', async () => {
    const ses = client(sim, 'AKIATESTWALL00000001');
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => send(ses)));
    for (const r of results) {
      if (r.status === 'rejected') expect(describeFailure(r.reason as Failure).message).toBe('Maximum sending rate exceeded.');
    }
    // Exactly five unless this machine stalled for a second mid-burst; the window rule holds regardless.
    const times = sim.state.messagesOf().map((m) => Date.parse(m.acceptedAt));
    expect(times.length).toBeGreaterThanOrEqual(5);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(5);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(send(ses)).resolves.toMatchObject({ MessageId: expect.any(String) });
  });
});

describe('injected failures', () => {
  let sim: SesSimulator;
  beforeAll(async () => {
    sim = await startSesSimulator({
      accounts: [
        account('AKIATESTTHROTTLE0001', '200000000001', { failures: { throttleAll: true } }),
        account('AKIATESTDOWN00000001', '200000000002', { failures: { serverError: 503 } }),
        account('AKIATESTBROKEN000001', '200000000003', { failures: { serverError: 500 } }),
        account('AKIATESTSLOW00000001', '200000000004', { failures: { latencyMs: 300 } }),
        account('AKIATESTPAUSED000001', '200000000005', { failures: { accountPaused: true } }),
        account('AKIATESTREVOKED00001', '200000000006', { failures: { invalidKey: true } }),
      ],
    });
  });
  afterAll(() => sim.stop());
  const failureOf = async (call: Promise<unknown>) => describeFailure((await call.then(() => null, (e: unknown) => e)) as Failure);

  it('throttleAll throttles sends with the sending-rate message and other calls with "Rate exceeded"', async () => {
    const ses = client(sim, 'AKIATESTTHROTTLE0001');
    expect(await failureOf(send(ses))).toEqual({ name: 'Throttling', message: 'Maximum sending rate exceeded.', status: 400 });
    expect(await failureOf(ses.send(new GetSendQuotaCommand({})))).toEqual({ name: 'Throttling', message: 'Rate exceeded', status: 400 });
  });

  it('serverError answers 503 ServiceUnavailable or 500 InternalFailure', async () => {
    expect(await failureOf(send(client(sim, 'AKIATESTDOWN00000001')))).toEqual({
      name: 'ServiceUnavailable',
      message: 'Service is unable to handle request.',
      status: 503,
    });
    expect(await failureOf(send(client(sim, 'AKIATESTBROKEN000001')))).toMatchObject({ name: 'InternalFailure', status: 500 });
  });

  it('latencyMs delays the answer', async () => {
    const started = performance.now();
    await client(sim, 'AKIATESTSLOW00000001').send(new GetSendQuotaCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('accountPaused refuses sends with AccountSendingPausedException', async () => {
    expect(await failureOf(send(client(sim, 'AKIATESTPAUSED000001')))).toMatchObject({
      name: 'AccountSendingPausedException',
      status: 400,
    });
  });

  it('invalidKey answers like an unknown key, for STS too', async () => {
    const stsClient = new STSClient({
      endpoint: sim.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIATESTREVOKED00001', secretAccessKey: SECRET },
      maxAttempts: 1,
    });
    expect(await failureOf(stsClient.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
  });
});
