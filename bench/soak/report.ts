/**
 * The soak's per-minute line and its end: the figures, then each check
 * with its verdict (checkGoal, so a miss makes the bench exit non-zero).
 */
import type { Sql } from 'postgres';
import type { Tenant } from '../event-tenant.js';
import { checkGoal, say } from '../lib.js';
import type { SimulatorProcess } from '../send-procs.js';
import type { Message } from '../webhook/campaign.js';
import type { EventsContext } from '../webhook/events.js';
import { acceptedTwice, auditLoad, busiestSecond, NOT_TERMINAL, senderStatuses } from './checks.js';
import type { LoadReport } from './load-client.js';
import type { newRssLog, Watched } from './memory.js';
import type { SoakOptions } from './options.js';
import type { Outage, Recovery } from './outage.js';
import type { ServerMinute } from './serverLatency.js';

const mb = (x: number) => x.toFixed(0);

export type LoadMinute = { accepted: number; refused: number; p99: number; made: number; behind: number };

export function minuteLine(minute: number, sendsPerSecond: number, load: LoadMinute, server: ServerMinute | null, rss: number[], watched: Watched[], backlog: number | null): string {
  const memory = watched.map((w, i) => `${w.name} ${mb(rss[i]!)}`).join(', ');
  // The API's own histogram: p99 as the bucket that holds it, and how many answers took over 100 ms there.
  const upTo = (ms: number | null) => (ms === null ? '–' : ms === Infinity ? '∞' : ms.toFixed(0));
  const inApi = server ? ` (in the API: p99 ≤ ${upTo(server.p99UpTo)} ms, ${server.over100ms} of ${server.answered} over 100 ms)` : ' (in the API: not scraped)';
  return (
    `minute ${String(minute).padStart(2)}: sends ${sendsPerSecond.toFixed(1)}/s, load made ${(load.made / 60).toFixed(0)}/s${load.behind > 0 ? ` (${load.behind} behind)` : ''}, accepted ${(load.accepted / 60).toFixed(0)}/s (refused ${load.refused}), ` +
    `p99 ${load.p99.toFixed(0)} ms${inApi}, RSS MB ${memory}, backlog ${backlog ?? 'n/a'}`
  );
}

const secs = (x: number | null) => (x === null ? 'never' : `${x.toFixed(1)} s`);

export async function finalChecks(run: {
  opts: SoakOptions;
  sql: Sql;
  sim: SimulatorProcess;
  sender: Tenant;
  loadTenant: { ctx: EventsContext; messages: Message[] };
  idsFile: string;
  load: LoadReport;
  recovery: Recovery;
  outage: Outage;
  rss: ReturnType<typeof newRssLog>;
  campaigns: number;
  seconds: number;
}): Promise<boolean> {
  const { opts, sql, load, recovery: r } = run;
  const statuses = await senderStatuses(sql, run.sender.tenantId);
  const accepted = (await run.sim.messages(run.sender.accountId)).filter((m) => m.tags.herald_message);
  const audit = await auditLoad(sql, run.idsFile, run.loadTenant.ctx.tenant.accountId, run.loadTenant.ctx.campaignId);
  const simEvents = (await (await fetch(`${run.sim.url}/_simulator/events`)).json()) as { stats?: Record<string, number> };
  const notTerminal = NOT_TERMINAL.reduce((n, s) => n + (statuses[s] ?? 0), 0);
  const twice = acceptedTwice(accepted);
  const busiest = busiestSecond(accepted);
  const growth = run.rss.growth(opts.warmupMinutes);

  say(
    `sending: ${accepted.length.toLocaleString('en')} messages accepted by the simulator in ${run.campaigns} campaigns over ${run.seconds.toFixed(0)} s ` +
      `(${(accepted.length / run.seconds).toFixed(1)}/s with the outage); statuses ${JSON.stringify(statuses)}; busiest second ${busiest}; simulator SNS ${JSON.stringify(simEvents.stats ?? simEvents)}`,
  );
  say(
    `load: ${load.posted.toLocaleString('en')} posts, ${load.accepted.toLocaleString('en')} answered 200 (${load.acceptedAfterRetry.toLocaleString('en')} after a re-post), statuses ${JSON.stringify(load.statuses)}, ` +
      `200s by type ${JSON.stringify(load.acceptedTypes)}; stored ${(audit.answered - audit.missing).toLocaleString('en')} of ${audit.answered.toLocaleString('en')}, not applied ${audit.notApplied}; ` +
      `open_count ${audit.openCount} click_count ${audit.clickCount}; unsent at the end ${load.unsent}`,
  );
  say(`webhook latency: p99 ${load.p99Outside.toFixed(0)} ms (max ${load.maxOutside.toFixed(0)} ms) outside the outage (stop to restart + 10 s), p99 ${load.p99Inside.toFixed(0)} ms within it`);
  say(`seconds with the most 200s slower than 100 ms outside the outage: ${load.slowestSeconds.map((s) => `${s.at.slice(11, 19)} ${s.slow}/${s.answered} (max ${s.max.toFixed(0)} ms)`).join(', ') || 'none'}`);
  if (load.noAnswer.length > 0) say(`posts with no answer: ${load.noAnswer.map((f) => `${f.at.slice(11, 23)} ${f.error}`).join(', ')}`);
  say(
    `outage ${((run.outage.restartedAt - run.outage.stoppedAt) / 1000).toFixed(1)} s (stop to restart): /readyz answers ${JSON.stringify(r.readyStatuses)}, tRPC read ${JSON.stringify(r.apiStatuses)}; ` +
      `after the restart: /readyz 200 in ${secs(r.readySeconds)}, webhook 200 in ${secs(r.webhookSeconds)}, backlog (before ${run.outage.backlogBefore}, peak ${r.backlogPeak}) back in ${secs(r.backlogSeconds)}, ` +
      `sending at ≥ 90 % of ${opts.rate}/s in ${secs(r.sendingSeconds)}`,
  );
  say(`RSS MB per minute: ${run.rss.rows.map((row, m) => `${m}: ${row.map(mb).join('/')}`).join('; ')}`);
  say(`RSS growth from minute ${opts.warmupMinutes} to the end: ${growth.map((g) => `${g.name} ${mb(g.start)} → ${mb(g.end)} MB (${(g.growth * 100).toFixed(1)} %)`).join(', ')}`);

  const results = [
    checkGoal('soak: sender messages not terminal (queued/sending/unknown, must be 0)', notTerminal, { atMost: 0 }),
    checkGoal('soak: messages the simulator accepted twice (must be 0)', twice, { atMost: 0 }),
    checkGoal(`soak: busiest second at the simulator / ${opts.rate}`, busiest / opts.rate, { atMost: 1 }),
    checkGoal('soak: notifications answered 200 but not stored or not applied (must be 0)', audit.missing + audit.notApplied, { atMost: 0 }),
    checkGoal('soak: opens and clicks applied / answered 200 (exactly once: 1)', (audit.openCount + audit.clickCount) / Math.max(1, (load.acceptedTypes.Open ?? 0) + (load.acceptedTypes.Click ?? 0)), { atMost: 1 }),
    checkGoal('soak: opens and clicks applied / answered 200, at least', (audit.openCount + audit.clickCount) / Math.max(1, (load.acceptedTypes.Open ?? 0) + (load.acceptedTypes.Click ?? 0)), { atLeast: 1 }),
    checkGoal('soak: webhook p99 outside the outage ms / 100', load.p99Outside / 100, { atMost: 1 }),
    checkGoal('soak: recovery measures missing (never ready, accepting, drained or sending again)', [r.readySeconds, r.webhookSeconds, r.backlogSeconds, r.sendingSeconds].filter((x) => x === null).length, { atMost: 0 }),
    // The simulator keeps every message it accepted (its record is what the checks read), so it grows by design: reported above, not checked.
    ...growth.filter((g) => g.name !== 'simulator').map((g) => checkGoal(`soak: RSS growth of ${g.name} after the warm-up / 10 %`, g.growth / 0.1, { atMost: 1 })),
  ];
  return results.every(Boolean);
}
