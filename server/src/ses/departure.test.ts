import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_SECRET_ACCESS_KEY } from '../dev/accounts.js';
import { type SesSimulator, startSesSimulator } from '../dev/sesSimulator.js';
import { MissedDeparture } from './departure.js';
import { sendRawEmail, type RawEmail } from './sendRawEmail.js';

const ACCOUNT_ID = '100000000077';
let sim: SesSimulator;
let ses: SESClient;
beforeAll(async () => {
  sim = await startSesSimulator({
    accounts: [{ accessKeyId: 'AKIADEPARTURE0000001', secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: ACCOUNT_ID, maxSendRate: 1000, identities: [{ identity: 'acme.test', status: 'Success' }] }],
  });
  ses = new SESClient({ endpoint: sim.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIADEPARTURE0000001', secretAccessKey: DEMO_SECRET_ACCESS_KEY }, maxAttempts: 1 });
});
afterAll(async () => {
  ses?.destroy();
  await sim?.stop();
});

const email = (by: number): RawEmail => ({
  raw: Buffer.from('From: news@acme.test\r\nTo: ada@inbox.test\r\nSubject: Hi\r\n\r\nHello.\r\n'),
  to: 'ada@inbox.test',
  configurationSetName: null,
  tags: { tenantId: 't', campaignId: 'c', messageId: 'm' },
  departure: { by },
});
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

it('sends a request that leaves within its slot', async () => {
  const before = sim.state.messagesOf(ACCOUNT_ID).length;
  await expect(sendRawEmail(ses, email(performance.now() + 5_000))).resolves.toEqual(expect.any(String));
  expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before + 1);
});

it('does not send a request held up past its slot between the call and the write', async () => {
  const before = sim.state.messagesOf(ACCOUNT_ID).length;
  const sending = sendRawEmail(ses, email(performance.now() + 20));
  // The process is held up after the call began (a garbage collection, another job's work): the SDK
  // builds and signs the request only afterwards, and the slot has passed by the time it would leave.
  busy(60);
  await expect(sending).rejects.toBeInstanceOf(MissedDeparture);
  expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before);
});

it('lets requests that set out together leave: each gets the time the others on the way take', async () => {
  // Twenty sends due at the same moment, as at a fast rate: the SDK prepares them interleaved, so each
  // reaches the door only after most of the others' work. Without the allowance none of them would leave.
  const before = sim.state.messagesOf(ACCOUNT_ID).length;
  const due = performance.now();
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => sendRawEmail(ses, email(due))));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before + 20);
  // The crowd is gone with them: a lone request is held to its own moment again.
  await expect(sendRawEmail(ses, email(performance.now() - 1))).rejects.toBeInstanceOf(MissedDeparture);
});
