import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { subscribeMetrics } from './metricsSubscriber.js';
import { scrape, scrapeSamples, valueOf, type Sample } from './prometheusMetrics.js';
import { waitForOutput } from './process.js';
import { campaignInput, readySender, seedContacts, simAccount, type Sender } from './sendingHelpers.js';
import { useHerald, useHeraldWithSimulator } from './useHerald.js';
import { startWorker, stopWorkersAfterAll, waitForCampaignStatus, workerEnv, type WorkerProcess } from './workerProcesses.js';

/**
 * GET /metrics as operators scrape it, in the split deployment: an API
 * process (webhook, live metrics, queue gauges) and a worker-only process
 * (sends, SES calls, event processing) that serves its registry on
 * METRICS_PORT. One small campaign goes through the real SES SDK to the
 * simulator, which posts the Delivery events back to the API's webhook.
 */

const TOKEN = `metrics-${randomBytes(16).toString('hex')}`;
const h = useHeraldWithSimulator({
  simulator: { events: { deliveryDelayMs: [20, 100], openProbability: 0 } },
  simulatorEvents: true,
  env: { METRICS_TOKEN: TOKEN },
  roles: { http: true, worker: false },
});
const plain = useHerald();
const workers: WorkerProcess[] = [];
stopWorkersAfterAll(h, workers);

const REJECTED = 'reader-00003@inbox.test';
const CONTACTS = 10;

describe('without METRICS_TOKEN', () => {
  it('answers GET /metrics with a 404, as any unknown route, token or not', async () => {
    for (const auth of [null, `Bearer ${TOKEN}`]) {
      const res = await scrape(plain.herald.url, auth);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('herald_');
    }
  });
});

describe('with METRICS_TOKEN', () => {
  it('refuses a scrape without the right bearer token, with a 401 and no metric', async () => {
    const wrong = [null, 'Bearer', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN, 'Bearer wrong'];
    for (const auth of wrong) {
      const res = await scrape(h.herald.url, auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.text).not.toContain('herald_');
      expect(JSON.parse(res.text)).toMatchObject({ error: 'Unauthorized', message: expect.stringContaining('Authorization: Bearer') });
    }
    const ok = await scrape(h.herald.url, `bearer  ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toContain('# TYPE herald_sends_total counter');
  });

  describe('a campaign sent by a worker-only process', () => {
    let sender: Sender;
    let campaignId: string;
    let workerMetricsUrl: string;

    beforeAll(async () => {
      sender = await readySender(
        h.herald,
        h.sim,
        simAccount({
          failures: {
            rejectRecipients: [REJECTED],
            // The first SendRawEmail call is throttled; the message is sent on its retry.
            sendErrors: [{ code: 'Throttling', message: 'Maximum sending rate exceeded.', status: 400 }],
          },
        }),
      );
      await seedContacts(h.herald.deps.sql, sender, CONTACTS);
    });

    it('shows the fan-out job waiting in the queue gauges while no worker runs', async () => {
      ({ id: campaignId } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId)));
      await sender.agent.trpc.campaigns.send.mutate({ id: campaignId });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const api = await scrapeSamples(h.herald.url, TOKEN);
      expect(valueOf(api, 'herald_job_queue_depth', { task: 'campaigns__fan_out', state: 'ready' })).toBe(1);
      expect(valueOf(api, 'herald_job_queue_oldest_ready_age_seconds', { task: 'campaigns__fan_out' })).toBeGreaterThan(0.1);
      expect(valueOf(api, 'herald_job_queue_depth', { task: 'campaigns__send', state: 'ready' })).toBe(0);
    });

    it('counts sends by outcome and error class, SES call latency, throttles and rate slots in the worker', async () => {
      const env = workerEnv(h.herald, h.sim, { METRICS_TOKEN: TOKEN, METRICS_PORT: '0', METRICS_TENANT_LABELS: '5' });
      const worker = await startWorker(env);
      workers.push(worker);
      await waitForOutput(worker, /"msg":"metrics listener started"/, 30_000);
      workerMetricsUrl = (/"url":"(http:[^"]+)\/metrics","msg":"metrics listener started"/.exec(worker.output()) as RegExpExecArray)[1] as string;

      await waitForCampaignStatus(sender, campaignId, 'sent', 60_000);
      const w = await scrapeSamples(workerMetricsUrl, TOKEN);
      const sends = (outcome: string, errorClass: string) => valueOf(w, 'herald_sends_total', { kind: 'campaign', outcome, error_class: errorClass });
      expect(sends('sent', 'none')).toBe(CONTACTS - 1);
      expect(sends('requeued', 'throttled')).toBe(1);
      expect(sends('failed', 'permanent')).toBe(1);
      expect(sends('unknown', 'unknown')).toBe(0);
      expect(valueOf(w, 'herald_sends_total', { kind: 'transactional', outcome: 'sent' })).toBe(0);
      expect(valueOf(w, 'herald_ses_throttles_total', { kind: 'campaign', limit: 'rate' })).toBe(1);

      // Every SendRawEmail call is one observation: 9 accepted, the throttled one and the rejected one.
      expect(valueOf(w, 'herald_ses_send_duration_seconds_count', { kind: 'campaign', result: 'ok' })).toBe(CONTACTS - 1);
      expect(valueOf(w, 'herald_ses_send_duration_seconds_count', { kind: 'campaign', result: 'error' })).toBe(2);
      expect(valueOf(w, 'herald_ses_send_duration_seconds_sum', { kind: 'campaign', result: 'ok' })).toBeGreaterThan(0);
      expect(valueOf(w, 'herald_ses_send_duration_seconds_bucket', { kind: 'campaign', result: 'ok', le: '+Inf' })).toBe(CONTACTS - 1);
      expect(valueOf(w, 'herald_rate_slots_total', { kind: 'campaign', result: 'granted' })).toBeGreaterThanOrEqual(CONTACTS + 1);
      // METRICS_TENANT_LABELS=5 in the worker: its one tenant is named; the API, without the setting, has no such metric.
      expect(valueOf(w, 'herald_tenant_sends_total', { tenant_id: sender.tenantId, outcome: 'sent' })).toBe(CONTACTS - 1);
      expect(valueOf(w, 'herald_tenant_sends_total', { tenant_id: sender.tenantId, outcome: 'failed' })).toBe(1);

      // The API process sent nothing: each process has its own registry.
      const api = await scrapeSamples(h.herald.url, TOKEN);
      expect(valueOf(api, 'herald_sends_total', { kind: 'campaign', outcome: 'sent', error_class: 'none' })).toBe(0);
      expect(api.some((s) => s.name === 'herald_tenant_sends_total')).toBe(false);
      expect(valueOf(api, 'herald_job_queue_depth', { task: 'campaigns__fan_out', state: 'ready' })).toBe(0);
      expect(valueOf(w, 'herald_db_pool_max', { pool: 'worker_bulk' })).toBe(4);
      expect(valueOf(w, 'herald_db_pool_max', { pool: 'app' })).toBe(10);
      expect(valueOf(w, 'herald_db_pool_connections', { pool: 'app', state: 'idle' })).toBeGreaterThanOrEqual(0);
      expect(valueOf(w, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    });

    it('counts webhook accepts in the API, event processing and its delay in the worker, and the backlog drains', async () => {
      const sql = h.herald.deps.sql;
      await vi.waitFor(
        async () => {
          const [row] = await sql<{ n: number }[]>`select count(*)::int as n from messages where campaign_id = ${campaignId} and status = 'delivered'`;
          expect(row?.n).toBe(CONTACTS - 1);
        },
        { timeout: 30_000, interval: 200 },
      );
      const api = await scrapeSamples(h.herald.url, TOKEN);
      expect(valueOf(api, 'herald_webhook_accepted_total', { outcome: 'event' })).toBe(CONTACTS - 1);
      expect(valueOf(api, 'herald_ses_events_received_total', { event_type: 'Delivery' })).toBe(CONTACTS - 1);
      expect(valueOf(api, 'herald_events_pending')).toBe(0);
      expect(valueOf(api, 'herald_events_oldest_pending_age_seconds')).toBe(0);

      const w = await scrapeSamples(workerMetricsUrl, TOKEN);
      expect(valueOf(w, 'herald_events_processed_total', { result: 'applied' })).toBe(CONTACTS - 1);
      expect(valueOf(w, 'herald_events_processed_total', { result: 'orphan' })).toBe(0);
      expect(valueOf(w, 'herald_event_processing_delay_seconds_count')).toBe(CONTACTS - 1);
      expect(valueOf(w, 'herald_webhook_accepted_total', { outcome: 'event' })).toBe(0);

      // Every delivery answered is timed, whatever the answer: the accepted ones so far, then one refused.
      const answers = api.filter((s) => ['herald_webhook_accepted_total', 'herald_webhook_refused_total', 'herald_webhook_unavailable_total'].includes(s.name));
      const timed = valueOf(api, 'herald_webhook_duration_seconds_count');
      expect(timed).toBe(answers.reduce((sum, s) => sum + s.value, 0));
      expect(timed).toBeGreaterThanOrEqual(CONTACTS - 1);
      expect(valueOf(api, 'herald_webhook_duration_seconds_bucket', { le: '+Inf' })).toBe(timed);
      expect(valueOf(api, 'herald_webhook_duration_seconds_sum')).toBeGreaterThan(0);
      const malformed = await fetch(`${h.herald.url}/webhooks/email`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not json' });
      expect(malformed.status).toBe(400);
      const after = await scrapeSamples(h.herald.url, TOKEN);
      expect(valueOf(after, 'herald_webhook_refused_total', { reason: 'malformed' })).toBe(1);
      expect(valueOf(after, 'herald_webhook_duration_seconds_count')).toBe(timed + 1);
    });

    it('shows open live-metrics subscribers of the API process', async () => {
      const gauges = async () => {
        const api: Sample[] = await scrapeSamples(h.herald.url, TOKEN);
        return [valueOf(api, 'herald_sse_subscribers'), valueOf(api, 'herald_sse_campaign_feeds')];
      };
      expect(await gauges()).toEqual([0, 0]);
      const sub = subscribeMetrics(h.herald.url, { cookie: sender.agent.cookie }, campaignId);
      try {
        await vi.waitFor(() => expect(sub.received.length).toBeGreaterThan(0), { timeout: 10_000 });
        expect(await gauges()).toEqual([1, 1]);
      } finally {
        sub.unsubscribe();
      }
      await vi.waitFor(async () => expect(await gauges()).toEqual([0, 0]), { timeout: 10_000 });
    });

    it('serves only /metrics on the worker listener, behind the same token', async () => {
      expect((await scrape(workerMetricsUrl, null)).status).toBe(401);
      expect((await scrape(workerMetricsUrl, 'Bearer not-the-token')).status).toBe(401);
      expect((await fetch(`${workerMetricsUrl}/healthz`)).status).toBe(404);
      expect((await fetch(`${workerMetricsUrl}/trpc/auth.me`)).status).toBe(404);
    });

    it('logs the failed send with its tenant, campaign and message ids, and never the token or AWS secret', async () => {
      const worker = workers[0] as WorkerProcess;
      const lines = worker.output().split('\n').filter((l) => l.includes('"msg":"campaign send failed"'));
      expect(lines).toHaveLength(1);
      const [rejected] = await h.herald.deps.sql<{ id: string }[]>`select id from messages where campaign_id = ${campaignId} and to_address = ${REJECTED}`;
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        tenantId: sender.tenantId,
        campaignId,
        messageId: rejected?.id,
        errorClass: 'permanent',
        code: 'MessageRejected',
        status: 'failed',
      });
      const refused = h.herald.logs.filter((l) => l.includes('"msg":"metrics scrape refused'));
      expect(refused.length).toBeGreaterThan(0);
      const everything = [...h.herald.logs, worker.output()].join('\n');
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(TOKEN.slice(0, -1));
      expect(everything).not.toContain('send-test-secret-');
    });
  });
});
