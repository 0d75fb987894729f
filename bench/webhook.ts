/**
 * bench/webhook: the SES event webhook (`POST /webhooks/email`) under a flood
 * of signed SNS notifications, and the processing that applies them (issue
 * goal: ≥ 1,500 notifications/s accepted, aim 3,000; p99 under 100 ms; none
 * lost; processing drains the backlog at least as fast as it is accepted).
 *
 * Herald runs as it is deployed, from server/src with tsx, in two layouts, one
 * after the other on the same database: `separate`, `main.ts` (API, WORKER=off)
 * and `worker.ts` as processes of their own, and `inline`, one `main.ts` with
 * the worker inside, as `npm start` runs it. LOG_LEVEL=info by default, as in
 * production (Fastify logs two lines per request), written to a file. Its
 * SNS_CERT_URL_ALLOW names a certificate host in this process that serves the
 * test signing certificate (server/test/fixtures/sns/). The tenant signs up
 * and connects a SES-simulator account over HTTP, so its aws_account_id is
 * set and it is connected; each run then gets fresh contacts and a campaign
 * whose N messages are inserted in SQL as `sent` with SES message ids (the
 * webhook is measured here, not sending). What a run does: bench/webhook/run.ts.
 *
 * Run: `npm run bench:webhook`, or `node --import tsx bench/webhook.ts [--database-url postgres://…/test]`
 * (no URL: DATABASE_URL, else an embedded Postgres in a temporary directory).
 * A fresh server runs a short uncounted run first (--warm-run-events, 0 for none): its JIT is cold.
 * Options: --events 20000 --concurrency 64 --runs 3 --warmup 2000 --baseline-requests 4000 --warm-run-events 3000
 * --layouts separate,inline --log-level info --profile-dir DIR (V8 CPU profiles of API and worker).
 */
import { readyTenant, type Tenant } from './event-tenant.js';
import { runEventsBench } from './harness.js';
import { checkGoal, loadAverages, machine, say } from './lib.js';
import { peakRssMb, startClient } from './procs.js';
import { startWebhookHerald } from './webhook/herald.js';
import { webhookOptions } from './webhook/options.js';
import { describeBaseline, describeLayout, describeRun, layoutSummary } from './webhook/report.js';
import { oneRun, type Run } from './webhook/run.js';
import type { SignJob } from './sign-job.js';
import type { FireJob } from './webhook-client.js';

const opts = webhookOptions();

/**
 * Issue "Performance", goal 3: accepted ≥ 0.45 × the same server's /healthz at the same concurrency,
 * p99 < 100 ms, the backlog gone within 2 s of the last accept, nothing stranded or lost.
 */
function checkWebhookGoals(layout: string, figures: ReturnType<typeof layoutSummary>): void {
  checkGoal(`webhook ${layout}: accepted / GET /healthz`, figures.acceptedPerSecond / figures.baselines.healthz, { atLeast: 0.45 });
  checkGoal(`webhook ${layout}: p99 latency ms / 100`, figures.latencyMs.p99 / 100, { atMost: 1 });
  checkGoal(`webhook ${layout}: drain after the last accept s / 2`, figures.drainSeconds / 2, { atMost: 1 });
  checkGoal(`webhook ${layout}: runs with every check passed and nothing stranded`, figures.checksPassed && figures.stranded.every((n) => n === 0) ? 1 : 0, { atLeast: 1 });
}

await runEventsBench('webhook', opts.databaseUrl, 2, async (bench) => {
  const clients = [startClient<SignJob | FireJob>('bench/webhook-client.ts'), startClient<SignJob | FireJob>('bench/webhook-client.ts')];
  const summary: Record<string, unknown>[] = [];
  try {
    say(
      `machine: ${machine()}, ${bench.pgVersion}${bench.database.embedded ? ' (embedded)' : ''}; ${new Date().toISOString()}; load average ${loadAverages()}; ` +
        `${opts.events.toLocaleString('en')} events per run, concurrency ${opts.concurrency}, LOG_LEVEL=${opts.logLevel}, layouts ${opts.layouts.join(', ')}`,
    );
    let tenant: Tenant | null = null;
    for (const layout of opts.layouts) {
      const herald = await startWebhookHerald(bench, layout, opts.logLevel, opts.nodeArgs);
      const results: Run[] = [];
      const inline = layout === 'inline';
      try {
        tenant ??= await readyTenant(herald.url, bench.sql, bench.sim, { name: 'Webhook', accessKeyId: 'BENCHWEBHOOKKEY00001', secretAccessKey: 'bench-webhook-secret', accountId: '310000000001' });
        const setup = { bench, herald, tenant, clients, opts };
        // A fresh server's first thousands of requests run cold (JIT); a short run first, not counted.
        if (opts.warmRunEvents > 0) {
          const w = await oneRun(setup, `${layout}0`, opts.warmRunEvents);
          say(`warm-up run (${layout}, not counted): ${w.events.toLocaleString('en')} notifications, accepted ${w.fire.acceptedPerSecond.toFixed(0)}/s, checks ${w.problems.length === 0 ? 'ok' : w.problems.join('; ')}`);
          if (w.problems.length > 0) bench.keepLogs();
        }
        for (let run = 0; run < opts.runs; run++) {
          const r = await oneRun(setup, `${layout}${run + 1}`, opts.events);
          results.push(r);
          if (r.problems.length > 0) bench.keepLogs();
          for (const b of r.baselines) say(describeBaseline(b, inline));
          say(describeRun(`run ${run + 1} (${layout})`, r, inline));
        }
      } finally {
        const rss = [herald.api, herald.worker].flatMap((p) => (p && p.child.exitCode === null ? [peakRssMb(p.pid).toFixed(0)] : []));
        await herald.stop();
        say(`${layout}: peak RSS (MB) API${herald.worker ? ', worker' : ' with worker'} ${rss.join(', ')}`);
      }
      say(describeLayout(layout, inline, results, opts));
      const figures = layoutSummary(layout, results, opts);
      summary.push(figures);
      checkWebhookGoals(layout, figures);
    }
    say(JSON.stringify({ bench: 'webhook', at: new Date().toISOString(), machine: machine(), results: summary }));
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
  }
});
