import {
	createTRPCClient,
	httpBatchLink,
	httpSubscriptionLink,
	splitLink,
	TRPCClientError,
	type TRPCLink
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '@herald/server';
import { endExpiredSession } from './session.svelte';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The one call that answers UNAUTHORIZED for another reason: a wrong email or password. */
const SIGN_IN = 'auth.signIn';

/**
 * UNAUTHORIZED mid-session means the cookie expired or was revoked elsewhere: the session ends
 * here, once for every page. The call's own caller never hears back, because its page is being
 * left for sign-in and an error there would only repeat what the toast says.
 */
const expiredSessionLink: TRPCLink<AppRouter> =
	() =>
	({ op, next }) =>
		observable((observer) => {
			const subscription = next(op).subscribe({
				next: (value) => observer.next(value),
				complete: () => observer.complete(),
				error: (cause) => {
					if (op.path !== SIGN_IN && cause.data?.code === 'UNAUTHORIZED') void endExpiredSession();
					else observer.error(cause);
				}
			});
			return () => subscription.unsubscribe();
		});

// Plain JSON on the wire (no transformer), so times arrive as ISO strings.
export const trpc = createTRPCClient<AppRouter>({
	links: [
		expiredSessionLink,
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
