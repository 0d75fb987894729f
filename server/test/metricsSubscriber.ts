import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../src/routers/index.js';
import type { CampaignMetrics } from '../src/services/campaignMetrics.js';

export type Received = { id: string; data: CampaignMetrics; at: number };

/**
 * A browser-like subscriber to `campaigns.onMetrics` over real SSE: the
 * `eventsource` package with the session cookie, every request recorded (so
 * a test can see the Last-Event-ID of a reconnect).
 */
export function subscribeMetrics(baseUrl: string, cookie: string | undefined, id: string, opts: { lastEventId?: string } = {}) {
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
            if (cookie) headers.set('cookie', cookie);
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
