import type { RouterOutputs } from '$lib/trpc';

export type SenderProfile = RouterOutputs['tenant']['getProfile'];
