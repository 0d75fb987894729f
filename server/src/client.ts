/**
 * `@herald/server/client`: a type-safe tRPC client for services that call
 * Herald with an API key. The router is imported as a type only, so at run
 * time this module needs nothing but `@trpc/client` (no server code, no
 * database driver): keep it that way.
 */
import { createTRPCClient, httpBatchLink, isTRPCClientError, type TRPCClient, type TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './routers/index.js';

export type { AppRouter };
/** Every procedure's input, e.g. `RouterInputs['contacts']['create']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output, e.g. `RouterOutputs['contacts']['list']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type HeraldClient = TRPCClient<AppRouter>;
/** What a failed call rejects with: `err.data?.code` (e.g. 'BAD_REQUEST'), `err.data?.fieldErrors`, `err.message`. */
export type HeraldClientError = TRPCClientError<AppRouter>;

export type HeraldClientOptions = {
  /** Herald's base URL, e.g. `https://herald.example.com` (tRPC is served under `/trpc`). */
  url: string;
  /** An API key (`hk_…`) from Settings → API keys or `apiKeys.create`. */
  apiKey: string;
  /** A fetch implementation; the global `fetch` by default. */
  fetch?: Parameters<typeof httpBatchLink<AppRouter>>[0]['fetch'];
};

/** A client whose calls carry `Authorization: Bearer <apiKey>`; queries in the same tick share one request. */
export function createHeraldClient(opts: HeraldClientOptions): HeraldClient {
  const authorization = `Bearer ${opts.apiKey}`;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${opts.url.replace(/\/+$/, '')}/trpc`,
        headers: () => ({ authorization }),
        // Batched queries travel in the URL: past this length they are split into several requests.
        maxURLLength: 2048,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }),
    ],
  });
}

/** Whether a thrown value is a failed Herald call (then `data.code` and `data.fieldErrors` are typed). */
export function isHeraldClientError(cause: unknown): cause is HeraldClientError {
  return isTRPCClientError<AppRouter>(cause);
}
