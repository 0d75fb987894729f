import { untrack } from 'svelte';
import { describeError } from '$lib/errors';
import type { Loadable } from '$lib/loaded.svelte';
import { trpc, type RouterOutputs } from '$lib/trpc';

export type CampaignMetrics = RouterOutputs['campaigns']['metrics'];

/**
 * - `connecting`: opening the stream, nothing heard yet;
 * - `live`: connected, every change arrives on its own;
 * - `reconnecting`: the connection dropped; the client reconnects by itself and resumes after the
 *   last event it saw, and the numbers on screen stay (they may be a little behind);
 * - `stopped`: the server ended the stream with an error that retrying won't fix (see `problem`).
 */
export type LiveConnection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopped';

/**
 * A campaign's numbers as they change, from the `campaigns.onMetrics` subscription (SSE): a
 * snapshot when it connects, then every change (at most 4 a second). Create it while a component
 * initialises: it subscribes in an $effect whenever `campaignId()` names a campaign and
 * unsubscribes when that changes or the component goes away.
 */
export class LiveMetrics implements Loadable<CampaignMetrics> {
	metrics = $state<CampaignMetrics | null>(null);
	connection = $state<LiveConnection>('idle');
	/** Why the stream isn't live right now, in words, when it isn't. */
	problem = $state<string | null>(null);
	/** Goes up by one with each update: an $effect that reads it runs after every change. */
	updates = $state(0);

	#attempt = $state(0);

	constructor(campaignId: () => string | null) {
		// Only a different id reconnects, not every change of whatever the id is read from.
		const current = $derived(campaignId());
		$effect(() => {
			const id = current;
			void this.#attempt;
			if (!id) {
				this.connection = 'idle';
				return;
			}
			// What opening reads (the numbers shown) must not make this effect reconnect on every update.
			return untrack(() => this.#open(id));
		});
	}

	/** For <LoadState>: the numbers, and why there are none when the stream stopped before any came. */
	get value(): CampaignMetrics | null {
		return this.metrics;
	}
	get error(): string | null {
		return this.connection === 'stopped' && !this.metrics ? this.problem : null;
	}
	get loading(): boolean {
		return this.connection === 'connecting';
	}

	/** Start over after the stream `stopped` (a "Try again" button). */
	retry(): void {
		this.#attempt++;
	}

	#open(id: string): () => void {
		if (this.metrics?.id !== id) this.metrics = null;
		this.connection = 'connecting';
		this.problem = null;
		let heard = false;
		const subscription = trpc.campaigns.onMetrics.subscribe(
			{ id },
			{
				onData: (event) => {
					heard = true;
					this.metrics = event.data;
					this.updates++;
					this.connection = 'live';
					this.problem = null;
				},
				onConnectionStateChange: (state) => {
					if (state.state === 'pending') {
						heard = true;
						this.connection = 'live';
						this.problem = null;
					} else if (state.state === 'connecting') {
						this.connection = heard ? 'reconnecting' : 'connecting';
						this.problem = state.error ? describeError(state.error).message : null;
					}
				},
				onError: (cause) => {
					const problem = describeError(cause);
					this.connection = 'stopped';
					this.problem = problem.message;
				}
			}
		);
		return () => subscription.unsubscribe();
	}
}
