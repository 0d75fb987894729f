import { benchArgs, profileArgs } from '../lib.js';

export type Layout = 'separate' | 'inline';

/** bench/webhook.ts's command line (defaults in bench/webhook.ts's comment). */
export function webhookOptions() {
  const args = benchArgs({
    // No URL: DATABASE_URL, else an embedded Postgres (harness.ts, scratchDatabase).
    'database-url': { type: 'string', default: '' },
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2000' },
    'baseline-requests': { type: 'string', default: '4000' },
    'warm-run-events': { type: 'string', default: '3000' },
    layouts: { type: 'string', default: 'separate,inline' },
    'log-level': { type: 'string', default: 'info' },
    'profile-dir': { type: 'string', default: '' },
  });
  return {
    databaseUrl: args['database-url']!,
    events: Number(args.events),
    concurrency: Number(args.concurrency),
    runs: Number(args.runs),
    warmup: Number(args.warmup),
    baselineRequests: Number(args['baseline-requests']),
    warmRunEvents: Number(args['warm-run-events']),
    layouts: args.layouts!.split(',').filter(Boolean) as Layout[],
    logLevel: args['log-level']!,
    /** With --profile-dir, the API and the worker write V8 CPU profiles there as they stop. */
    nodeArgs: profileArgs(args['profile-dir']!),
  };
}

export type WebhookOptions = ReturnType<typeof webhookOptions>;
