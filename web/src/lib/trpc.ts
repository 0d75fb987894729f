import {
	createTRPCClient,
	httpBatchLink,
	httpSubscriptionLink,
	splitLink,
	TRPCClientError
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@herald/server';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

// Plain JSON on the wire (no transformer), so times arrive as ISO strings.
export const trpc = createTRPCClient<AppRouter>({
	links: [
		splitLink({
			condition: (op) => op.type === 'subscription',
			true: httpSubscriptionLink({ url: '/trpc' }),
			false: httpBatchLink({ url: '/trpc' })
		})
	]
});

export function isTRPCError(cause: unknown): cause is TRPCClientError<AppRouter> {
	return cause instanceof TRPCClientError;
}
