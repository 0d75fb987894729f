import type { RouterOutputs } from '$lib/trpc';

export type List = RouterOutputs['lists']['list'][number];
