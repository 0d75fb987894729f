import { Agent, type ClientRequest } from 'node:http';
import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_SECRET_ACCESS_KEY } from '../dev/accounts.js';
import { type SesSimulator, startSesSimulator } from '../dev/sesSimulator.js';
import { departureGate, MissedDeparture } from './departure.js';
import { sendRawEmail, type RawEmail } from './sendRawEmail.js';

const ACCOUNT_ID = '100000000077';
let sim: SesSimulator;
let ses: SESClient;
const credentials = { accessKeyId: 'AKIADEPARTURE0000001', secretAccessKey: DEMO_SECRET_ACCESS_KEY };
beforeAll(async () => {
  sim = await startSesSimulator({
    accounts: [{ accessKeyId: 'AKIADEPARTURE0000001', secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: ACCOUNT_ID, maxSendRate: 1000, identities: [{ identity: 'acme.test', status: 'Success' }] }],
  });
  ses = new SESClient({ endpoint: sim.url, region: 'us-east-1', credentials, maxAttempts: 1 });
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

// A pause of the whole process (a garbage collection) while the twenty are prepared can still make some
// miss, as it would make real sends take new slots: tried up to three times. Without the allowance the
// later ones miss every time.
it('lets requests that set out together leave: each gets the time the others on the way take', { retry: 2 }, async () => {
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

it('does not write a request held up past its slot after the last SDK step, before its socket is handed over, and keeps the connection', async () => {
  // The agent ses/clients.ts gives every client, and a process held up right after the request was built:
  // Node hands the socket over (and writes) only on a later tick, after everything queued meanwhile.
  const agent = departureGate(new Agent({ keepAlive: true }));
  const gated = agent as Agent & { addRequest(request: ClientRequest, options: object): void };
  const addRequest = gated.addRequest.bind(agent);
  let holdUpMs = 0;
  gated.addRequest = (request, options) => {
    addRequest(request, options);
    busy(holdUpMs);
  };
  // Connections the agent opens: a late request must not cost one.
  const opened: unknown[] = [];
  const withConnections = agent as unknown as { createConnection: (...args: unknown[]) => unknown };
  const createConnection = withConnections.createConnection.bind(agent);
  withConnections.createConnection = (...args) => {
    const socket = createConnection(...args);
    opened.push(socket);
    return socket;
  };
  const client = new SESClient({ endpoint: sim.url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: { httpAgent: agent } });
  try {
    const before = sim.state.messagesOf(ACCOUNT_ID).length;
    // The first call reads the handler's configuration first; from the second on the request is built in
    // the same turn as the last SDK step, where the socket check takes over.
    await sendRawEmail(client, email(performance.now() + 5_000));
    await expect(sendRawEmail(client, email(performance.now() + 5_000))).resolves.toEqual(expect.any(String));
    holdUpMs = 60;
    const told: boolean[] = [];
    const late = sendRawEmail(client, { ...email(0), departure: { by: performance.now() + 20, departed: (left) => told.push(left) } });
    await expect(late).rejects.toBeInstanceOf(MissedDeparture);
    expect(told).toEqual([false]);
    expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before + 2);
    // The unwritten request leaves its connection to the agent: the next send goes out on it.
    expect(opened).toHaveLength(1);
    holdUpMs = 0;
    await expect(sendRawEmail(client, email(performance.now() + 5_000))).resolves.toEqual(expect.any(String));
    expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before + 3);
    expect(opened).toHaveLength(1);
  } finally {
    client.destroy();
  }
});

it('holds a request that set out ahead of its moment at the door, and lets it leave then, not before', async () => {
  // Where the request is handed to its agent is after the last SDK step: the moment it leaves.
  const agent = departureGate(new Agent({ keepAlive: true }));
  const gated = agent as Agent & { addRequest(request: ClientRequest, options: object): void };
  const addRequest = gated.addRequest.bind(agent);
  const handedOver: number[] = [];
  gated.addRequest = (request, options) => {
    handedOver.push(performance.now());
    addRequest(request, options);
  };
  const client = new SESClient({ endpoint: sim.url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: { httpAgent: agent } });
  try {
    await sendRawEmail(client, email(performance.now() + 5_000));
    const before = sim.state.messagesOf(ACCOUNT_ID).length;
    const notBefore = performance.now() + 80;
    const told: boolean[] = [];
    await expect(sendRawEmail(client, { ...email(0), departure: { by: notBefore + 5_000, notBefore, departed: (left) => told.push(left) } })).resolves.toEqual(
      expect.any(String),
    );
    expect(handedOver.at(-1)).toBeGreaterThanOrEqual(notBefore);
    expect(told).toEqual([true]);
    expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before + 1);

    // Held up past its slot while it waited at the door: it does not leave. Ready early, it gets the
    // slot's own tolerance only, none of the allowance for preparing or for others on the way.
    const lateNotBefore = performance.now() + 30;
    const holdUp = setTimeout(() => busy(80), 20);
    const late = sendRawEmail(client, { ...email(0), departure: { by: lateNotBefore + 10, notBefore: lateNotBefore } });
    await expect(late).rejects.toBeInstanceOf(MissedDeparture);
    clearTimeout(holdUp);
    expect(sim.state.messagesOf(ACCOUNT_ID)).toHaveLength(before + 1);
  } finally {
    client.destroy();
  }
});
