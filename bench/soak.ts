/**
 * bench/soak: Herald over time, with a Postgres restart in the middle
 * (docs/operations.md, "When the database goes away"). A tenant sends at
 * its SES rate (14/s) campaign after campaign, the SES simulator posting
 * its events to the webhook; a load client posts signed SNS notifications
 * at 10 × that tenant's event rate. Halfway, the embedded Postgres is
 * stopped for --outage-seconds and started again. Checked at the end:
 * nothing lost or sent twice, the backlog and sending recovered, the
 * tenant never above its rate, every process's memory flat after the
 * warm-up, webhook p99 outside the outage.
 * Run: `npm run bench:soak -- [--minutes 30 --outage-seconds 25 --warmup-minutes 3 --workers 2]`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { generate } from 'selfsigned';
import { checkGoal, loadAverages, machine, say, sleep } from './lib.js';
import { startClient } from './procs.js';
import { simAccountBody, warmSimulator, type Tenant } from './send-tenant.js';
import { startCertHost } from './sns.js';
import { startSoakHerald, startSoakSimulator, type SoakHerald } from './soak/herald.js';
import type { LoadJob, LoadReport } from './soak/load-client.js';
import { newRssLog } from './soak/memory.js';
import { soakOptions } from './soak/options.js';
import { recovery, restartPostgres, type Outage } from './soak/outage.js';
import { startSoakPostgres } from './soak/postgres.js';
import { sendRate, startProbe } from './soak/probe.js';
import { finalChecks, minuteLine, type LoadMinute } from './soak/report.js';
import { startSender } from './soak/sender.js';
import { newServerLatencyLog } from './soak/serverLatency.js';
import { readyLoadTenant, readySender, SENDER_KEYS } from './soak/tenants.js';

const opts = soakOptions();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-soak-'));
let keep = false;
// RSA-1024 for the load client's notifications: signing at ~600/s with SNS's 2048-bit keys would take a CPU of its own.
const pems = await generate([{ name: 'commonName', value: 'sns.soak.herald.invalid' }], { keyType: 'rsa', keySize: 1024, algorithm: 'sha256' });
const certHost = await startCertHost(pems.cert);
const sim = await startSoakSimulator(path.join(tmp, 'simulator.log'));
const pg = await startSoakPostgres(path.join(tmp, 'postgres'));
const sql = postgres(pg.url, { max: 3, onnotice: () => {} });
const load = startClient<LoadJob>('bench/soak/load-client.ts');
let herald: SoakHerald | null = null;
try {
  herald = await startSoakHerald({ sql, databaseUrl: pg.url, sim, certAllow: certHost.allowPrefix, encryptionKeys: `bench:${randomBytes(32).toString('base64')}`, workers: opts.workers, logDir: tmp });
  say(
    `machine: ${machine()}; ${new Date().toISOString()}; load average ${loadAverages()}; ${opts.minutes} min, outage ${opts.outageSeconds} s at the midpoint, warm-up ${opts.warmupMinutes} min; ` +
      `sender ${opts.rate}/s, load ${opts.loadRate} notifications/s, ${opts.workers} worker processes`,
  );
  const sender = await readySender(herald.url, sql, sim, opts.rate, opts.rate * 60);
  // The simulator's first MIME parses are slow (see warmSimulator): done on an account of their own, not counted.
  await sim.putAccount('BENCHSOAKWARM0000001', simAccountBody('bench-soak-warm', '320000000009', { maxSendRate: 1000 }));
  await warmSimulator(sim, { accessKeyId: 'BENCHSOAKWARM0000001', secretAccessKey: 'bench-soak-warm' } as Tenant);
  await sim.postEventsTo(`${herald.url}/webhooks/email`);
  const loadTenant = await readyLoadTenant(herald.url, sql, sim, opts.loadMessages);

  const watched = [{ name: 'api', pid: herald.api.pid }, ...herald.workers.map((w, i) => ({ name: `worker${i + 1}`, pid: w.pid })), { name: 'simulator', pid: sim.pid }];
  const rss = newRssLog(watched);
  const serverLatency = newServerLatencyLog(herald.url, herald.metricsToken);
  const probe = startProbe({ sql, url: herald.url, cookie: sender.cookie, simUrl: sim.url, keys: SENDER_KEYS });
  const sending = startSender(herald.url, sql, sender);
  await serverLatency.minute();
  await load.call({ kind: 'start', url: herald.url, rate: opts.loadRate, retryDelayMs: opts.retryDelayMs, maxInFlight: 128, certUrl: certHost.certUrl, keyPem: pems.private, ctx: loadTenant.ctx, messages: loadTenant.messages });
  const startedAt = Date.now();
  rss.sample();
  let outage: Promise<Outage> | null = null;
  for (let minute = 1; minute <= opts.minutes; minute++) {
    if (minute === Math.floor(opts.minutes / 2) + 1) outage = restartPostgres(pg, probe.samples, opts.outageSeconds);
    await sleep(startedAt + minute * 60_000 - Date.now());
    const figures = await load.call<LoadMinute>({ kind: 'minute' });
    const last = probe.samples.at(-1);
    const server = await serverLatency.minute();
    say(minuteLine(minute, sendRate(probe.samples, Date.now() - 60_000, Date.now()), figures, server, rss.sample(), watched, last?.pending ?? null));
  }
  const done = await outage!;
  const firstAccept = (await load.call<{ at: number }>({ kind: 'firstAccept', after: done.restartedAt })).at;
  const stopped = await load.call<LoadReport>({ kind: 'stop', file: path.join(tmp, 'accepted-ids.txt'), excludeFrom: done.stoppedAt, excludeTo: done.restartedAt + 10_000 });
  await sending.finish(180_000);
  // Events settle: the simulator's last ones are due seconds after the last send, then processing drains.
  for (let quiet = 0, i = 0; quiet < 5 && i < 180; i++) {
    await sleep(1_000);
    quiet = (probe.samples.at(-1)?.pending ?? 1) === 0 ? quiet + 1 : 0;
  }
  await sleep(15_000);
  await probe.stop();
  const passed = await finalChecks({
    opts,
    sql,
    sim,
    sender,
    loadTenant,
    idsFile: path.join(tmp, 'accepted-ids.txt'),
    load: stopped,
    recovery: recovery(done, probe.samples, firstAccept, opts.rate),
    outage: done,
    rss,
    campaigns: sending.campaigns().length,
    seconds: (Date.now() - startedAt) / 1000,
  });
  if (!passed) keep = true;
  checkGoal('soak: every check passed', passed ? 1 : 0, { atLeast: 1 });
} catch (err) {
  keep = true;
  throw err;
} finally {
  await load.stop();
  await herald?.stop();
  await sql.end();
  await pg.close().catch((err: unknown) => say(`stopping the embedded Postgres: ${String(err)}`));
  await sim.stop();
  await certHost.stop();
  if (keep) say(`Herald's logs: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
