import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { toast } from 'svelte-sonner';
import type { RouterOutputs } from './trpc';

export type Session = NonNullable<RouterOutputs['auth']['me']>;

let current = $state<Session | null>(null);

/** Who is signed in, shared by the app shell and every page inside it. */
export const session = {
	get current(): Session | null {
		return current;
	},
	set(value: Session | null): void {
		current = value;
	}
};

/**
 * For requests that answer UNAUTHORIZED mid-session: the cookie expired or was revoked elsewhere.
 * tRPC calls come here through their client link; the file uploads, which use plain HTTP, call it
 * themselves. Several requests may find out at once: one toast and one trip to sign-in is enough.
 */
export async function endExpiredSession(): Promise<void> {
	if (!current) return;
	current = null;
	toast.info('Your session has ended. Please sign in again.');
	await goto(resolve('/signin'));
}
