import { parseArgs } from 'node:util';

/**
 * The soak's options. The load: 10 × the event rate of a tenant sending at
 * `rate` (SES-simulator defaults give ~2.7 events per email: Send, Delivery,
 * half of them an Open, 30 % of those a Click; real campaigns with bounces,
 * complaints and repeat opens run 3–5), figured at 4 events per email:
 * 14 × 4 × 10 = 560 notifications/s from the load client.
 */
export function soakOptions() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      'outage-seconds': { type: 'string', default: '25' },
      'warmup-minutes': { type: 'string', default: '3' },
      rate: { type: 'string', default: '14' },
      'events-per-email': { type: 'string', default: '4' },
      'load-factor': { type: 'string', default: '10' },
      workers: { type: 'string', default: '2' },
      /** SNS retries a 5xx 20 s later by default; shorter keeps the re-posts inside a short soak. */
      'retry-delay-seconds': { type: 'string', default: '10' },
      'load-messages': { type: 'string', default: '20000' },
    },
  });
  const n = (k: keyof typeof values) => Number(values[k]);
  const rate = n('rate');
  return {
    minutes: n('minutes'),
    outageSeconds: n('outage-seconds'),
    warmupMinutes: n('warmup-minutes'),
    rate,
    loadRate: rate * n('events-per-email') * n('load-factor'),
    workers: n('workers'),
    retryDelayMs: n('retry-delay-seconds') * 1000,
    loadMessages: n('load-messages'),
  };
}
export type SoakOptions = ReturnType<typeof soakOptions>;
