import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../src/routers/index.js';
import type { CampaignMetrics } from '../src/services/campaigns/metrics.js';

export type Received = { id: string; data: CampaignMetrics; at: number };

/**
 * A browser-like subscriber to `campaigns.onMetrics` over real SSE: the
 * `eventsource` package with a session cookie or an API key, every request recorded (so
 * a test can see the Last-Event-ID of a reconnect).
 */
export type Credentials = { cookie?: string; bearer?: string };

export function subscribeMetrics(baseUrl: string, credentials: Credentials, id: string, opts: { lastEventId?: string } = {}) {
  const received: Received[] = [];
  const errors: unknown[] = [];
  const states: string[] = [];
  const requests: { url: string; lastEventId: string | null }[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/trpc`,
        EventSource,
        eventSourceOptions: () => ({
          fetch: (input: string | URL | Request, init?: RequestInit) => {
            const headers = new Headers(init?.headers);
            if (credentials.cookie) headers.set('cookie', credentials.cookie);
            if (credentials.bearer) headers.set('authorization', `Bearer ${credentials.bearer}`);
            requests.push({ url: String(input), lastEventId: headers.get('last-event-id') });
            return fetch(input, { ...init, headers });
          },
        }),
      }),
    ],
  });
  const subscription = client.campaigns.onMetrics.subscribe(
    { id, lastEventId: opts.lastEventId },
    {
      onData: (event) => void received.push({ id: event.id, data: event.data, at: performance.now() }),
      onError: (err) => void errors.push(err),
      onConnectionStateChange: (state) => void states.push(state.state),
    },
  );
  return {
    received,
    errors,
    states,
    requests,
    latest: () => received.at(-1),
    unsubscribe: () => subscription.unsubscribe(),
  };
}

/** The first thing the subscription answers: its snapshot, or the error it is refused with (as a rejection). */
export async function firstMetricsAnswer(baseUrl: string, credentials: Credentials, id: string): Promise<CampaignMetrics> {
  const sub = subscribeMetrics(baseUrl, credentials, id);
  try {
    for (let waited = 0; waited < 10_000; waited += 20) {
      if (sub.errors.length > 0) throw sub.errors[0];
      const first = sub.received[0];
      if (first) return first.data;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no answer from campaigns.onMetrics within 10 s');
  } finally {
    sub.unsubscribe();
  }
}
