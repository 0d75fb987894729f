import { callTRPCProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape, isTrackedEnvelope, TRPCError } from '@trpc/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { appRouter } from '../routers/index.js';
import type { Context } from '../trpc/context.js';
import { sseOptions } from '../trpc/init.js';

const PATH = 'campaigns.onMetrics';

/** tRPC's SSE response headers (no buffering in proxies, no transforms). */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
};

export type MetricsStreamRouteDeps = {
  createContext: (opts: Pick<Context, 'req' | 'res'>) => Promise<Context>;
  onError: (opts: { error: TRPCError; path: string; type: 'subscription' }) => void;
};

/**
 * Serves `GET /trpc/campaigns.onMetrics`, the one subscription with many
 * watchers, in place of tRPC's generic SSE writer (this static route wins
 * over the tRPC plugin's `/trpc/:path`). Every subscriber of a campaign gets
 * the same state object, so its frame is serialized once and the same string
 * written to every socket in one write. tRPC's writer runs each event of each
 * subscription through an async generator, three web streams and five socket
 * writes: ~0.35 ms of CPU per event per subscriber, which at 500 subscribers
 * took half a core and delayed everything else on the machine (bench/metrics).
 *
 * Everything else stays tRPC's: the procedure is called through tRPC (context,
 * middlewares, input validation, the ownership check), and the wire format is
 * the one httpSubscriptionLink reads: `connected` with the client options,
 * `data` + `id` per tracked state, `ping` every 15 s, `serialized-error` with
 * the errorFormatter's shape, `return` when the stream ends.
 */
export function registerMetricsStreamRoute(app: FastifyInstance, deps: MetricsStreamRouteDeps) {
  app.get(`/trpc/${PATH}`, async (req, reply) => {
    const closed = new AbortController();
    reply.raw.on('close', () => closed.abort());
    let ctx: Context | undefined;
    let input: unknown;
    let stream: AsyncIterable<unknown>;
    try {
      input = readInput(req);
      ctx = await deps.createContext({ req, res: reply });
      const context = ctx;
      stream = (await callTRPCProcedure({
        router: appRouter,
        path: PATH,
        type: 'subscription',
        getRawInput: async () => input,
        ctx: context,
        signal: closed.signal,
        batchIndex: 0,
      })) as AsyncIterable<unknown>;
    } catch (cause) {
      open(reply).end(errorFrame(deps, cause, input, ctx));
      return reply;
    }
    await pump(open(reply), stream, closed.signal, (cause) => errorFrame(deps, cause, input, ctx));
    return reply;
  });
}

function open(reply: FastifyReply) {
  reply.hijack();
  reply.raw.writeHead(200, SSE_HEADERS);
  reply.raw.write(`event: connected\ndata: ${JSON.stringify(sseOptions.client)}\n\n`);
  return reply.raw;
}

/**
 * Writes states until the stream ends or the client leaves. A slow client is
 * not written to until its socket drains; meanwhile its mailbox keeps only the
 * newest state (realtime/latestSlot.ts), so it skips states instead of
 * buffering them.
 */
async function pump(res: FastifyReply['raw'], stream: AsyncIterable<unknown>, closed: AbortSignal, errorFrame: (cause: unknown) => string) {
  const ping = setInterval(() => res.write('event: ping\ndata: \n\n'), sseOptions.ping.intervalMs);
  try {
    for await (const value of stream) {
      if (!res.write(frameOf(value))) await once(res, 'drain', { signal: closed });
    }
    if (!closed.aborted) res.end('event: return\ndata: \n\n');
  } catch (cause) {
    if (!closed.aborted) res.end(errorFrame(cause));
  } finally {
    clearInterval(ping);
  }
}

/**
 * The frame of one state, built once however many subscribers are sent it:
 * they share the state object, and its id is a digest of it (so the object
 * alone keys the frame).
 */
const frames = new WeakMap<object, string>();

function frameOf(value: unknown): string {
  if (!isTrackedEnvelope(value) || typeof value[1] !== 'object' || value[1] === null) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `${PATH} must yield tracked() objects.` });
  }
  const [id, data] = value;
  let frame = frames.get(data);
  if (frame === undefined) {
    frame = `data: ${JSON.stringify(data)}\nid: ${id}\n\n`;
    frames.set(data, frame);
  }
  return frame;
}

/** tRPC's reading of a GET subscription: `?input=<json>`, and the last event id an EventSource sends on reconnect. */
function readInput(req: FastifyRequest): unknown {
  const query = req.query as Record<string, string | undefined>;
  let input: unknown;
  if (query.input !== undefined) {
    try {
      input = JSON.parse(query.input);
    } catch (cause) {
      throw new TRPCError({ code: 'PARSE_ERROR', cause });
    }
  }
  const header = req.headers['last-event-id'];
  const lastEventId = (typeof header === 'string' ? header : undefined) ?? query.lastEventId ?? query['Last-Event-Id'];
  if (!lastEventId) return input;
  if (input === undefined) return { lastEventId };
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...input, lastEventId } : input;
}

function errorFrame(deps: MetricsStreamRouteDeps, cause: unknown, input: unknown, ctx: Context | undefined) {
  const error = getTRPCErrorFromUnknown(cause);
  deps.onError({ error, path: PATH, type: 'subscription' });
  const shape = getTRPCErrorShape({ config: appRouter._def._config, error, type: 'subscription', path: PATH, input, ctx });
  return `event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n`;
}
