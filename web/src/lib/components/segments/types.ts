import type { RouterOutputs } from '$lib/trpc';

export type SegmentSummary = RouterOutputs['segments']['list'][number];
export type Segment = RouterOutputs['segments']['get'];
export type SegmentPreview = RouterOutputs['segments']['preview'];
