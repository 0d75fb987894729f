import { TRPCClientError } from '@trpc/client';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../src/routers/index.js';
import { campaignMetrics } from '../src/services/campaigns/metrics.js';
import { signedUpAgent } from './agent.js';
import { subscribeMetrics } from './metricsSubscriber.js';
import { spawnHerald, waitForOutput } from './process.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import { notification, useHarness, sentCampaign, waitProcessed, type SentMessage } from './sesEventHelpers.js';
import { awsExample, postSns, type ExampleName } from './snsHelpers.js';
import { killHard, workerEnv, type WorkerProcess } from './workerProcesses.js';

/**
 * `campaigns.onMetrics` over real SSE (the `eventsource` package), fed by
 * SES events posted to the real webhook and applied by the real worker.
 */
const h = useHarness();
let sender: Sender;
/** The server side of every metrics stream, so a test can cut them as a proxy or a network change would. */
const streams = new Set<Socket>();
beforeAll(async () => {
  h.herald.app?.server.on('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/trpc/campaigns.onMetrics')) streams.add(req.socket);
  });
  sender = await readySender(h.herald, h.sim, simAccount(), 'Live');
});

const event = (name: ExampleName, m: SentMessage) =>
  notification(h, sender.accountId, awsExample(name, { sesMessageId: m.providerId, accountId: sender.accountId, recipients: [m.to] }));

/** Posts one event per message (not waiting for processing); returns the SNS message ids. */
async function post(name: ExampleName, messages: SentMessage[], baseUrl = h.herald.url): Promise<string[]> {
  const envelopes = messages.map((m) => event(name, m));
  const answers = await Promise.all(envelopes.map((e) => postSns(baseUrl, e)));
  expect(answers.map((a) => a.status)).toEqual(envelopes.map(() => 200));
  return envelopes.map((e) => e.MessageId);
}

/** What the database says, by a full scan of the campaign's messages (the counters must agree). */
async function scanned(campaignId: string) {
  const [row] = await h.herald.deps.sql<{ sent: number; delivered: number; opened: number }[]>`
    select count(*) filter (where sent_at is not null)::int as sent,
      count(*) filter (where coalesce(delivered_at, opened_at, clicked_at) is not null)::int as delivered,
      count(*) filter (where coalesce(opened_at, clicked_at) is not null)::int as opened
    from messages where campaign_id = ${campaignId}`;
  if (!row) throw new Error('no counts');
  return row;
}

describe('campaigns.onMetrics', () => {
  it('sends a snapshot on connect, then the changes, coalesced to at most 4 a second, ending on the latest state', async () => {
    const { campaignId, messages } = await sentCampaign(h, sender, 40, 'live');
    const sub = subscribeMetrics(h.herald.url, { cookie: sender.agent.cookie }, campaignId);
    try {
      await vi.waitFor(() => expect(sub.received[0]?.data.counts).toMatchObject({ recipients: 40, sent: 40, delivered: 0 }), { timeout: 10_000 });

      // 40 deliveries in 8 waves, each its own processing batch.
      const started = performance.now();
      const ids: string[] = [];
      for (let wave = 0; wave < 8; wave++) {
        ids.push(...(await post('delivery', messages.slice(wave * 5, wave * 5 + 5))));
        await waitProcessed(h, ids);
      }
      await vi.waitFor(() => expect(sub.latest()?.data.counts.delivered).toBe(40), { timeout: 10_000 });
      const seconds = (performance.now() - started) / 1000;

      const updates = sub.received.slice(1);
      expect(updates.length).toBeGreaterThan(1); // it moved on its own, more than once
      expect(updates.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
      const delivered = sub.received.map((r) => r.data.counts.delivered);
      expect(delivered).toEqual([...delivered].sort((a, b) => a - b)); // never goes back
      expect(new Set(sub.received.map((r) => r.id)).size).toBe(sub.received.length); // no state sent twice

      // The update that shows the 40th delivery may have read the status counts a moment before (two
      // queries); the last update follows within a coalescing interval and equals the database.
      await vi.waitFor(async () => expect(sub.latest()?.data).toEqual(await campaignMetrics(h.herald.deps, sender.tenantId, campaignId)), { timeout: 5_000 });
      const final = sub.latest()?.data;
      expect(final?.counts).toMatchObject(await scanned(campaignId));
      expect(final?.rates.delivery).toBe(1);
      expect(sub.errors).toEqual([]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('resumes from lastEventId after the connection drops mid-campaign, and ends on the database’s counts', async () => {
    const { campaignId, messages } = await sentCampaign(h, sender, 30, 'resume');
    const sub = subscribeMetrics(h.herald.url, { cookie: sender.agent.cookie }, campaignId);
    try {
      await waitProcessed(h, await post('delivery', messages.slice(0, 10)));
      await vi.waitFor(() => expect(sub.latest()?.data.counts.delivered).toBe(10), { timeout: 10_000 });
      const before = sub.latest();

      for (const socket of streams) socket.destroy();
      await vi.waitFor(() => expect(sub.states).toContain('connecting'), { timeout: 10_000 });
      const rest = await post('delivery', messages.slice(10));
      const opens = await post('open', messages.slice(0, 5));
      await waitProcessed(h, [...rest, ...opens]);

      await vi.waitFor(() => expect(sub.latest()?.data.counts).toMatchObject({ delivered: 30, opened: 5 }), { timeout: 20_000 });
      expect(sub.requests.length).toBeGreaterThanOrEqual(2);
      // EventSource reconnects by itself with a Last-Event-ID header, which tRPC hands to the procedure as lastEventId.
      expect(sub.requests.at(-1)?.lastEventId).toBe(before?.id);
      expect(sub.states).toContain('connecting');
      expect(sub.latest()?.data.counts).toMatchObject(await scanned(campaignId));
      expect(sub.latest()?.data).toEqual(await campaignMetrics(h.herald.deps, sender.tenantId, campaignId));
      expect(sub.errors).toEqual([]);

      // A subscriber that already shows the latest state gets nothing until the next change.
      const current = sub.latest();
      const resumed = subscribeMetrics(h.herald.url, { cookie: sender.agent.cookie }, campaignId, { lastEventId: current?.id });
      try {
        await vi.waitFor(() => expect(resumed.states).toContain('pending'), { timeout: 10_000 });
        await waitProcessed(h, await post('click', messages.slice(20, 21)));
        await vi.waitFor(() => expect(resumed.received.length).toBeGreaterThan(0), { timeout: 10_000 });
        expect(resumed.received[0]?.data.counts.clicked).toBe(1);
        expect(resumed.received.every((r) => r.id !== current?.id)).toBe(true);
      } finally {
        resumed.unsubscribe();
      }
    } finally {
      sub.unsubscribe();
    }
  });

  it('reaches a subscriber of another server process when this one accepts the events', async () => {
    const { campaignId, messages } = await sentCampaign(h, sender, 10, 'procs');
    let other: WorkerProcess | undefined;
    try {
      other = spawnHerald('main', workerEnv(h.herald, h.sim, { PORT: '0', WORKER: 'off' }));
      await waitForOutput(other, /listening on http:\/\/[^)]+\)/, 90_000);
      const otherUrl = /listening on (http:\/\/[^)]+)\)/.exec(other.output())?.[1] as string;
      const sub = subscribeMetrics(otherUrl, { cookie: sender.agent.cookie }, campaignId);
      try {
        await vi.waitFor(() => expect(sub.received[0]?.data.counts).toMatchObject({ sent: 10, delivered: 0 }), { timeout: 10_000 });
        await waitProcessed(h, await post('delivery', messages)); // accepted and applied by the test's own process
        await vi.waitFor(() => expect(sub.latest()?.data.counts.delivered).toBe(10), { timeout: 10_000 });
        expect(sub.errors).toEqual([]);
      } finally {
        sub.unsubscribe();
      }
    } finally {
      if (other) await killHard(other);
    }
  });

  it('refuses another tenant, a signed-out caller and a malformed id, and sends them nothing', async () => {
    const { campaignId } = await sentCampaign(h, sender, 2, 'private');
    const stranger = await signedUpAgent(h.herald.url, 'Stranger');
    const cases = [
      { credentials: { cookie: stranger.agent.cookie }, id: campaignId, code: 'NOT_FOUND' },
      { credentials: {}, id: campaignId, code: 'UNAUTHORIZED' },
      { credentials: { cookie: sender.agent.cookie }, id: 'not-a-uuid', code: 'BAD_REQUEST' },
    ];
    for (const c of cases) {
      const sub = subscribeMetrics(h.herald.url, c.credentials, c.id);
      try {
        await vi.waitFor(() => expect(sub.errors).toHaveLength(1), { timeout: 10_000 });
        const [err] = sub.errors;
        expect(err).toBeInstanceOf(TRPCClientError);
        expect((err as TRPCClientError<AppRouter>).data?.code).toBe(c.code);
        expect(sub.received).toEqual([]);
      } finally {
        sub.unsubscribe();
      }
    }
  });

  it('answers unparsable input and an oversized Last-Event-ID with an error event, and a plain HTTP client with tRPC’s SSE frames', async () => {
    const { campaignId } = await sentCampaign(h, sender, 2, 'raw');
    const url = (input: string) => `${h.herald.url}/trpc/campaigns.onMetrics?input=${encodeURIComponent(input)}`;
    const cookie = { cookie: sender.agent.cookie ?? '' };

    const unparsable = await readStream(url('{"id":'), cookie, (text) => text.includes('event: serialized-error'));
    expect(unparsable.contentType).toBe('text/event-stream');
    expect(unparsable.text).toMatch(/^event: connected\ndata: \{"reconnectAfterInactivityMs":30000\}\n\n/);
    const parseError = JSON.parse(/event: serialized-error\ndata: (.*)\n/.exec(unparsable.text)?.[1] ?? 'null');
    expect(parseError).toMatchObject({ data: { code: 'PARSE_ERROR' }, message: expect.stringMatching(/not valid JSON/) });

    const oversized = await readStream(url(JSON.stringify({ id: campaignId })), { ...cookie, 'last-event-id': 'x'.repeat(101) }, (text) => text.includes('event: serialized-error'));
    expect(oversized.text).toMatch(/"code":"BAD_REQUEST"/);
    expect(oversized.text).not.toMatch(/^id: /m);

    const snapshot = await readStream(url(JSON.stringify({ id: campaignId })), cookie, (text) => /^id: /m.test(text));
    const [, data, id] = /^data: (.*)\nid: (.*)\n\n/m.exec(snapshot.text) ?? [];
    expect(JSON.parse(data ?? 'null')).toEqual(await campaignMetrics(h.herald.deps, sender.tenantId, campaignId));
    expect(id).toMatch(/^[\w-]{22}$/);
  });
});

/** Reads an SSE response as text until `done` says so (or 10 s pass), then drops the connection. */
async function readStream(url: string, headers: Record<string, string>, done: (text: string) => boolean) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const res = await fetch(url, { headers, signal: abort.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += value;
    }
    return { contentType: res.headers.get('content-type'), text };
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
