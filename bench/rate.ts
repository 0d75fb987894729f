/**
 * bench/rate: the per-tenant send-rate limiter (server/src/sending) under
 * several worker processes. For each worker count, one tenant's workers
 * reserve, sleep until their slot and "send" (record the time) 1,000 times at
 * 14/s; reported: the achieved rate and the most ACTUAL send times in any
 * sliding one-second window (SES's limit: ≤ the rate), median over the runs.
 * The worker counts run side by side, one tenant each, which also shows that
 * tenants do not slow each other down.
 * Run: `node --import tsx bench/rate.ts --database-url postgres://…/test`
 * Options: --workers 1,3 --sends 1000 --rate 14 --runs 3.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { createTestDatabase } from '../server/src/testing/database.js';
import { maxSendsInAnyWindow } from '../server/src/testing/sendWindows.js';
import { benchArgs, machine, median, repoRoot, say } from './lib.js';
import type { WorkerResult } from './rate-worker.js';

const args = benchArgs({
  workers: { type: 'string', default: '1,3' },
  sends: { type: 'string', default: '1000' },
  rate: { type: 'string', default: '14' },
  runs: { type: 'string', default: '3' },
});
const workerCounts = args.workers!.split(',').map(Number);
const sends = Number(args.sends);
const rate = Number(args.rate);
const runs = Number(args.runs);

type RunFigures = { achievedRate: number; maxInWindow: number; missed: number; refused: number; latenessP99: number };

/** Forks `workers` processes sharing `sends` for one tenant; resolves once all are ready, with a function that starts them. */
async function startTenant(databaseUrl: string, tenantId: string, workers: number) {
  const children = Array.from({ length: workers }, (_, i) =>
    fork(path.join(repoRoot, 'bench/rate-worker.ts'), ['--database-url', databaseUrl, '--tenant', tenantId, '--rate', String(rate), '--sends', String(Math.floor(sends / workers) + (i < sends % workers ? 1 : 0))], {
      execArgv: ['--import', 'tsx'],
    }),
  );
  await Promise.all(children.map((child) => once(child, 'message'))); // 'ready': connected
  return {
    go: async (): Promise<RunFigures> => {
      const all = await Promise.all(
        children.map(async (child) => {
          const result = once(child, 'message');
          const exited = once(child, 'exit');
          child.send('go');
          const [message] = (await result) as [WorkerResult];
          await exited;
          return message;
        }),
      );
      const times = all.flatMap((r) => r.sentAt).sort((a, b) => a - b);
      const lateness = all.flatMap((r) => r.latenessMs).sort((a, b) => a - b);
      return {
        achievedRate: (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000),
        maxInWindow: maxSendsInAnyWindow(times),
        missed: all.reduce((n, r) => n + r.missed, 0),
        refused: all.reduce((n, r) => n + r.refused, 0),
        latenessP99: lateness[Math.floor(lateness.length * 0.99)]!,
      };
    },
  };
}

const database = await createTestDatabase(args['database-url']!);
const sql = postgres(database.url, { max: 1, onnotice: () => {} });
try {
  // Late wake-ups (a busy CPU) show up as missed slots and a lower rate, never as a fuller window.
  const load = () => os.loadavg()[0]!.toFixed(1);
  say(`machine: ${machine()}; ${new Date().toISOString()}; load average ${load()}`);
  const figures = new Map<number, RunFigures[]>(workerCounts.map((w) => [w, []]));
  for (let run = 0; run < runs; run++) {
    const tenants = await Promise.all(
      workerCounts.map(async (workers) => {
        const [tenant] = await sql<{ id: string }[]>`insert into tenants (name) values (${`bench ${workers} workers`}) returning id`;
        return { workers, ...(await startTenant(database.url, tenant!.id, workers)) };
      }),
    );
    const done = await Promise.all(tenants.map(async ({ workers, go }) => ({ workers, run: await go() })));
    for (const { workers, run: r } of done) figures.get(workers)!.push(r);
    say(`run ${run + 1}: ${done.map(({ workers, run: r }) => `${workers} worker(s) ${r.achievedRate.toFixed(2)}/s, max ${r.maxInWindow} in 1 s, ${r.missed} missed`).join('; ')}; load average ${load()}`);
  }
  for (const [workers, rs] of figures) {
    say(
      `rate limiter, ${sends.toLocaleString('en')} sends at ${rate}/s for one tenant, ${workers} worker process(es) ` +
        (workerCounts.length > 1 ? `(alongside ${workerCounts.filter((w) => w !== workers).join(', ')}-worker tenant(s)): ` : ': ') +
        `achieved ${median(rs.map((r) => r.achievedRate)).toFixed(2)}/s median [${rs.map((r) => r.achievedRate.toFixed(2)).join(', ')}]; ` +
        `max actual sends in any sliding 1 s window ${median(rs.map((r) => r.maxInWindow))} median [${rs.map((r) => r.maxInWindow).join(', ')}] (limit ${rate}); ` +
        `missed slots ${rs.map((r) => r.missed).join('/')}, refused ${rs.map((r) => r.refused).join('/')}; ` +
        `p99 wake-up lateness ${median(rs.map((r) => r.latenessP99)).toFixed(1)} ms; median of ${runs} runs`,
    );
  }
} finally {
  await sql.end({ timeout: 5 });
  await database.drop();
}
