import { describeError } from './errors';
import type { Loadable } from './loaded.svelte';

export interface KeysetPage<T> {
	items: T[];
	nextCursor: string | null;
}

/**
 * Previous / Next over a keyset-paged list (ordered by email, cursor = "after this one").
 * It keeps the cursor of every page visited, so going back costs one request, and it
 * never asks for a count: page 20,000 of a million contacts is as quick as page 1.
 * Answers that arrive after a newer request started are dropped.
 */
export class KeysetPager<T, P extends KeysetPage<T> = KeysetPage<T>> implements Loadable<P> {
	/** The page on screen; null until the first one arrives. */
	page = $state<P | null>(null);
	loading = $state(false);
	error = $state<string | null>(null);
	/** cursors[i] opens page i; page 0 starts at the beginning. */
	#cursors = $state<Array<string | undefined>>([undefined]);
	#request = 0;

	readonly pageSize: number;
	readonly #fetch: (cursor: string | undefined, limit: number) => Promise<P>;

	constructor(fetchPage: (cursor: string | undefined, limit: number) => Promise<P>, pageSize = 50) {
		this.#fetch = fetchPage;
		this.pageSize = pageSize;
	}

	/** For <LoadState>: the page, and "Try again" asks for it again. */
	get value(): P | null {
		return this.page;
	}
	retry(): Promise<void> {
		return this.reload();
	}

	get items(): T[] {
		return this.page?.items ?? [];
	}
	get index(): number {
		return this.#cursors.length - 1;
	}
	get hasPrevious(): boolean {
		return this.index > 0;
	}
	get hasNext(): boolean {
		return Boolean(this.page?.nextCursor);
	}
	/** 1-based number of the first row on this page. */
	get from(): number {
		return this.index * this.pageSize + 1;
	}
	get to(): number {
		return this.index * this.pageSize + this.items.length;
	}

	/** Back to page one, e.g. when the search changes. */
	first(): Promise<void> {
		this.#cursors = [undefined];
		return this.#load();
	}

	/** The same page again, e.g. after a row was removed. */
	reload(): Promise<void> {
		return this.#load();
	}

	next(): Promise<void> {
		const cursor = this.page?.nextCursor;
		if (!cursor) return Promise.resolve();
		this.#cursors = [...this.#cursors, cursor];
		return this.#load();
	}

	previous(): Promise<void> {
		if (this.#cursors.length <= 1) return Promise.resolve();
		this.#cursors = this.#cursors.slice(0, -1);
		return this.#load();
	}

	async #load(): Promise<void> {
		const request = ++this.#request;
		this.loading = true;
		try {
			const page = await this.#fetch(this.#cursors.at(-1), this.pageSize);
			if (request !== this.#request) return;
			this.page = page;
			this.error = null;
			// A page emptied by deletions: step back to the last page that has rows.
			if (page.items.length === 0 && this.#cursors.length > 1) {
				this.#cursors = this.#cursors.slice(0, -1);
				return this.#load();
			}
		} catch (cause) {
			if (request !== this.#request) return;
			const problem = describeError(cause);
			this.error = problem.message;
		} finally {
			if (request === this.#request) this.loading = false;
		}
	}
}

/** Calls `apply` once typing has paused for `ms`; returns a cleanup for $effect. */
export function debounce(apply: () => void, ms = 250): () => void {
	const timer = setTimeout(apply, ms);
	return () => clearTimeout(timer);
}
