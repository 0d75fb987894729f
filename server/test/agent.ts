import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../src/routers/index.js';

/**
 * A test user agent: a typed tRPC client over real HTTP that keeps the
 * session cookie like a browser and sends the page's Origin on writes.
 */
export function agent(baseUrl: string, opts: { bearer?: string; origin?: string | null } = {}) {
  let cookie: string | undefined;
  const origin = opts.origin === undefined ? new URL(baseUrl).origin : opts.origin;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        headers: () => ({
          ...(cookie ? { cookie } : {}),
          ...(origin ? { origin } : {}),
          ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}),
        }),
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          const setCookie = res.headers.get('set-cookie');
          if (setCookie) {
            const [pair] = setCookie.split(';');
            cookie = pair && !pair.endsWith('=') ? pair : undefined;
          }
          return res;
        },
      }),
    ],
  });
  return {
    trpc: client,
    get cookie() {
      return cookie;
    },
    set cookie(value: string | undefined) {
      cookie = value;
    },
  };
}

export type Agent = ReturnType<typeof agent>;

let counter = 0;
/** Signs up a fresh tenant and returns its signed-in agent. */
export async function signedUpAgent(baseUrl: string, name = 'Acme') {
  const a = agent(baseUrl);
  const email = `owner${++counter}-${Date.now()}@${name.toLowerCase().replace(/\W/g, '')}.test`;
  const password = 'correct horse battery staple';
  const account = await a.trpc.auth.signUp.mutate({ email, password, tenantName: name });
  return { agent: a, account, email, password };
}

/** Raw HTTP for inputs a typed client cannot produce. */
export async function rawCall(
  baseUrl: string,
  path: string,
  init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${baseUrl}/trpc/${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // leave as text
  }
  return { status: res.status, json, headers: res.headers };
}
