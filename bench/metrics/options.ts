import { benchArgs, profileArgs } from '../lib.js';
import type { SubscriberClient } from '../metrics-client.js';

/** bench/metrics.ts's command line (defaults in bench/metrics.ts's comment). */
export function metricsOptions() {
  const args = benchArgs({
    // No URL: DATABASE_URL, else an embedded Postgres (harness.ts, scratchDatabase).
    'database-url': { type: 'string', default: '' },
    parts: { type: 'string', default: 'read,live,many' },
    messages: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '50000' },
    'update-connections': { type: 'string', default: '4' },
    'read-rounds': { type: 'string', default: '3' },
    'read-calls': { type: 'string', default: '200' },
    'read-warmup': { type: 'string', default: '20' },
    'scan-calls': { type: 'string', default: '20' },
    'write-baseline': { type: 'string', default: 'on' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    'warm-seconds': { type: 'string', default: '3' },
    'subscribers-live': { type: 'string', default: '1' },
    subscribers: { type: 'string', default: '500' },
    'subscriber-processes': { type: 'string', default: '2' },
    'subscriber-client': { type: 'string', default: 'trpc' },
    'log-level': { type: 'string', default: 'info' },
    jit: { type: 'string', default: 'default' },
    'profile-dir': { type: 'string', default: '' },
  });
  const subscriberClient = args['subscriber-client'] as SubscriberClient;
  if (subscriberClient !== 'trpc' && subscriberClient !== 'plain') throw new Error('--subscriber-client is trpc or plain');
  return {
    databaseUrl: args['database-url']!,
    parts: new Set(args.parts!.split(',').filter(Boolean)),
    messages: Number(args.messages),
    chunk: Number(args.chunk),
    updateConnections: Number(args['update-connections']),
    readRounds: Number(args['read-rounds']),
    readCalls: Number(args['read-calls']),
    readWarmup: Number(args['read-warmup']),
    scanCalls: Number(args['scan-calls']),
    writeBaseline: args['write-baseline'] === 'on',
    rate: Number(args.rate),
    seconds: Number(args.seconds),
    runs: Number(args.runs),
    warmSeconds: Number(args['warm-seconds']),
    subscribersLive: Number(args['subscribers-live']),
    subscribers: Number(args.subscribers),
    subscriberProcesses: Number(args['subscriber-processes']),
    subscriberClient,
    logLevel: args['log-level']!,
    jitOff: args.jit === 'off',
    /** With --profile-dir, api, watch and worker write V8 CPU profiles there as they stop. */
    nodeArgs: profileArgs(args['profile-dir']!),
  };
}

export type MetricsOptions = ReturnType<typeof metricsOptions>;
