/**
 * The soak's webhook load, a process of its own (forked, driven over IPC):
 * signed SNS notifications of SES events about the load tenant's messages,
 * posted open-loop at `rate` per second over keep-alive connections. A
 * notification not answered 200 (a 503 while the database is away, or a
 * refused connection) is posted again `retryDelayMs` later with the same
 * MessageId, as SNS retries. Signed here as it goes (RSA-1024: a quarter of
 * a millisecond each, so the client stays cheap next to Herald).
 * Jobs: `start`, `minute` (figures since the last one), `stop` (writes the
 * MessageIds answered 200 to a file, one a line).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { signedNotification } from '../../server/src/dev/snsMessages.js';
import { sesEvent, type EventsContext, type EventType } from '../webhook/events.js';
import type { Message } from '../webhook/campaign.js';
import { snsRequest } from '../snsRequest.js';
import { newLatencyLog } from './latency.js';

export type LoadStart = {
  kind: 'start';
  url: string;
  rate: number;
  retryDelayMs: number;
  maxInFlight: number;
  certUrl: string;
  keyPem: string;
  ctx: EventsContext;
  messages: Message[];
};
export type LoadJob = LoadStart | { kind: 'minute' } | { kind: 'firstAccept'; after: number } | { kind: 'stop'; file: string; excludeFrom: number; excludeTo: number } | { kind: 'exit' };
export type LoadReport = {
  kind: 'report';
  posted: number;
  accepted: number;
  statuses: Record<string, number>;
  /** 200s per event type, to compare with what processing counted. */
  acceptedTypes: Record<string, number>;
  /** Answered 200 at last, after one or more 503s or refused connections. */
  acceptedAfterRetry: number;
  /** p99 and max of the answers 200 outside [excludeFrom, excludeTo] (epoch ms), and within it. */
  p99Outside: number;
  maxOutside: number;
  p99Inside: number;
  /** Still queued or in flight when the client gave up waiting (should be 0). */
  unsent: number;
  /** Posts that got no answer at all (status 0): when, and the socket's error. */
  noAnswer: { at: string; error: string }[];
  /** Outside the outage, the seconds with the most answers slower than 100 ms. */
  slowestSeconds: { at: string; answered: number; slow: number; max: number }[];
};

/**
 * Each message gets a Delivery first, then Opens, and every third time a
 * Click: counted on the message, so the counters show each was applied once.
 */
const typeOf = (pass: number): EventType => (pass === 0 ? 'Delivery' : pass % 3 === 0 ? 'Click' : 'Open');

function runLoad(job: LoadStart) {
  const target = new URL('/webhooks/email', job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.maxInFlight });
  const signer = { certUrl: job.certUrl, keyPem: job.keyPem };
  const latency = newLatencyLog();
  const acceptedIds: string[] = [];
  const statuses: Record<string, number> = {};
  const acceptedTypes: Record<string, number> = {};
  const queue: { id: string; line: string; type: EventType; retried: boolean }[] = [];
  let inFlight = 0;
  let made = 0;
  let posted = 0;
  let acceptedAfterRetry = 0;
  let waitingRetry = 0;
  const noAnswer: LoadReport['noAnswer'] = [];

  const post = (item: (typeof queue)[number]) => {
    inFlight += 1;
    posted += 1;
    const started = performance.now();
    const { body, headers } = snsRequest(item.line);
    let answered = false;
    const done = (status: number, error?: Error & { code?: string }) => {
      if (answered) return;
      if (error && noAnswer.length < 100) noAnswer.push({ at: new Date().toISOString(), error: error.code ?? error.message });
      answered = true;
      inFlight -= 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
      latency.add(Date.now(), performance.now() - started, status === 200);
      if (status === 200) {
        acceptedIds.push(item.id);
        acceptedTypes[item.type] = (acceptedTypes[item.type] ?? 0) + 1;
        if (item.retried) acceptedAfterRetry += 1;
      } else {
        waitingRetry += 1;
        setTimeout(() => {
          waitingRetry -= 1;
          queue.push({ ...item, retried: true });
          pump();
        }, job.retryDelayMs);
      }
      pump();
    };
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', (err) => done(0, err));
    });
    req.on('error', (err) => done(0, err));
    req.end(body);
  };
  const pump = () => {
    while (inFlight < job.maxInFlight && queue.length > 0) post(queue.shift()!);
  };
  // Open-loop: each tick adds what is due since the start, whatever the answers did meanwhile; but at
  // most two ticks' worth, so a starved client still answers IPC and posts what it signed (it then
  // falls behind, and says so, rather than offering less while claiming the full rate).
  const startedAt = performance.now();
  const due = () => Math.floor(((performance.now() - startedAt) / 1000) * job.rate);
  const perTick = Math.ceil(job.rate / 10);
  const tick = setInterval(() => {
    for (const until = Math.min(due(), made + perTick); made < until; made++) {
      const type = typeOf(Math.floor(made / job.messages.length));
      const message = sesEvent(job.ctx, job.messages[made % job.messages.length]!, type, new Date());
      const id = randomUUID();
      const line = JSON.stringify(signedNotification(signer, { topicArn: job.ctx.topicArn, messageId: id, message }));
      queue.push({ id, line, type, retried: false });
    }
    pump();
  }, 50);
  let madeAtMinute = 0;

  return {
    /** The answers since the last call, how many notifications were made, and how far behind the rate the client is. */
    minute: () => {
      const figures = { ...latency.minute(), made: made - madeAtMinute, behind: due() - made };
      madeAtMinute = made;
      return figures;
    },
    firstAccept: (after: number) => latency.firstAcceptAfter(after),
    stop: async (file: string, excludeFrom: number, excludeTo: number) => {
      clearInterval(tick);
      // What is queued or waiting for a retry still goes out, as SNS would keep retrying.
      const deadline = Date.now() + job.retryDelayMs * 3 + 30_000;
      while ((queue.length > 0 || inFlight > 0 || waitingRetry > 0) && Date.now() < deadline) {
        pump();
        await new Promise((r) => setTimeout(r, 200));
      }
      agent.destroy();
      writeFileSync(file, `${acceptedIds.join('\n')}\n`);
      const outside = latency.percentiles((t) => t < excludeFrom || t > excludeTo);
      const inside = latency.percentiles((t) => t >= excludeFrom && t <= excludeTo);
      const report: LoadReport = {
        kind: 'report',
        posted,
        accepted: acceptedIds.length,
        statuses,
        acceptedTypes,
        acceptedAfterRetry,
        p99Outside: outside.p99,
        maxOutside: outside.max,
        p99Inside: inside.p99,
        unsent: queue.length + inFlight + waitingRetry,
        noAnswer,
        slowestSeconds: latency.slowestSeconds(10, 100, (t) => t < excludeFrom || t > excludeTo),
      };
      return report;
    },
  };
}

let load: ReturnType<typeof runLoad> | null = null;
process.on('message', (job: LoadJob) => {
  const answer = async (): Promise<unknown> => {
    if (job.kind === 'exit') process.exit(0);
    if (job.kind === 'start') {
      load = runLoad(job);
      return { kind: 'started' };
    }
    if (!load) throw new Error('the load has not started');
    if (job.kind === 'minute') return { kind: 'minute', ...load.minute() };
    if (job.kind === 'firstAccept') return { kind: 'firstAccept', at: load.firstAccept(job.after) };
    return load.stop(job.file, job.excludeFrom, job.excludeTo);
  };
  answer().then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
