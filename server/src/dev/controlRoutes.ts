import type { IncomingMessage, ServerResponse } from 'node:http';
import { simAccountBodySchema, simAccountSchema } from './accounts.js';
import type { LoopWatch } from './loopWatch.js';
import type { SimEventsEngine } from './simEvents.js';
import { simEventsOptionsPatchSchema } from './simEventsOptions.js';
import { topicAttributes } from './snsActions.js';
import type { SimulatorState } from './simulatorState.js';

/** Everything under this prefix is for tests and demos; AWS calls never use it. */
export const CONTROL_PREFIX = '/_simulator/';

const MAX_JSON_BYTES = 1024 * 1024;

export interface ControlDeps {
  state: SimulatorState;
  events: SimEventsEngine;
  /** How late the simulator's own event loop ran while SES calls came in. */
  loopWatch: LoopWatch;
}

/**
 * `GET messages[?accountId=]`, `POST reset`, `GET accounts`, `PUT accounts/:accessKeyId`,
 * `GET rate-refusals` (per account id), `GET event-loop` and `POST event-loop/reset` (how late the simulator's
 * own event loop ran while SES calls came in, since the last reset, ms), `GET|POST events`, `GET sns/topics`, `GET configuration-sets[?accountId=]`, and SNS's own URLs under `sns/` (signing certificate, SubscribeURL).
 * Answers JSON; secrets never leave.
 */
export async function answerControlRequest({ state, events, loopWatch }: ControlDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const route = `${req.method ?? 'GET'} ${url.pathname.slice(CONTROL_PREFIX.length)}`;

  if (await events.answerSnsRequest(route, url, res)) return;
  const eventsStatus = () => ({ options: events.options(), stats: events.stats() });
  if (route === 'GET events') return json(res, 200, eventsStatus());
  if (route === 'POST events') {
    const body = await readJson(req);
    if (!body.ok) return json(res, 400, { error: BAD_JSON });
    const patch = simEventsOptionsPatchSchema.safeParse(body.value);
    if (!patch.success) {
      const detail = patch.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return json(res, 400, { error: `invalid events options: ${detail}`, issues: patch.error.issues });
    }
    events.configure(patch.data);
    return json(res, 200, eventsStatus());
  }

  if (route === 'GET messages') return json(res, 200, state.messagesOf(url.searchParams.get('accountId') ?? undefined));
  if (route === 'POST reset') {
    state.reset();
    return json(res, 200, { ok: true });
  }
  if (route === 'GET accounts') return json(res, 200, state.listAccounts());
  if (route === 'GET rate-refusals') return json(res, 200, Object.fromEntries(state.rateRefusals));
  if (route === 'GET event-loop') return json(res, 200, loopWatch.lateness());
  if (route === 'POST event-loop/reset') {
    loopWatch.resetLateness();
    return json(res, 200, { ok: true });
  }
  if (route === 'GET sns/topics') return json(res, 200, snsTopicsView(state));
  if (route === 'GET configuration-sets') return json(res, 200, state.configSets.all(url.searchParams.get('accountId') ?? undefined));

  const put = /^PUT accounts\/([^/]+)$/.exec(route);
  if (put) {
    const accessKeyId = simAccountSchema.shape.accessKeyId.safeParse(decodeURIComponent(put[1] ?? ''));
    if (!accessKeyId.success) return json(res, 400, { error: 'invalid access key id', issues: accessKeyId.error.issues });
    const body = await readJson(req);
    if (!body.ok) return json(res, 400, { error: BAD_JSON });
    const fields = simAccountBodySchema.safeParse(body.value);
    if (!fields.success) return json(res, 400, { error: 'invalid account', issues: fields.error.issues });
    state.putAccount({ accessKeyId: accessKeyId.data, ...fields.data });
    return json(res, 200, state.listAccounts().find((a) => a.accessKeyId === accessKeyId.data));
  }
  return json(res, 404, { error: `no control endpoint ${route}` });
}

/** Every API-made topic with its attributes and subscriptions (tokens stay secret, as SNS keeps them). */
function snsTopicsView(state: SimulatorState) {
  return state.topics.all().map((topic) => ({
    topicArn: topic.arn,
    attributes: topicAttributes(topic),
    subscriptions: topic.subscriptions.map((s) => ({
      subscriptionArn: s.arn,
      status: s.confirmed ? 'confirmed' : 'pending',
      protocol: s.protocol,
      endpoint: s.endpoint,
    })),
  }));
}

const BAD_JSON = 'body must be JSON (at most 1 MB)';

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: JSON.parse(await readText(req)) };
  } catch {
    return { ok: false };
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_JSON_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_JSON_BYTES) throw new Error('body too large');
  return Buffer.concat(chunks).toString('utf8');
}
