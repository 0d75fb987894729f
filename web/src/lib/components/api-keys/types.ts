import type { RouterOutputs } from '$lib/trpc';

export type ApiKey = RouterOutputs['apiKeys']['list'][number];
export type CreatedApiKey = RouterOutputs['apiKeys']['create'];
