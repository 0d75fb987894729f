import { untrack } from 'svelte';
import type { ProblemDetails } from './errors';
import { Loaded } from './loaded.svelte';

/**
 * The record a page shows for the id in its address (a contact, a list, a campaign). Create it
 * while the page initialises: it loads whenever `id()` changes, and forgets the previous record
 * at once so one record's page never shows another's data. A mistyped address (not an id at all)
 * is as `missing` as a deleted record.
 */
export class RecordById<T> extends Loaded<T> {
	missing = $state(false);

	constructor(id: () => string, fetch: (id: string) => Promise<T>) {
		super(() => fetch(id()));
		$effect(() => {
			void id();
			untrack(() => {
				this.reset();
				void this.load();
			});
		});
	}

	override reset(value: T | null = null): void {
		super.reset(value);
		this.missing = false;
	}

	protected override failed(problem: ProblemDetails): void {
		const gone = problem.code === 'NOT_FOUND' || problem.code === 'BAD_REQUEST';
		if (gone && this.value === null) this.missing = true;
		else super.failed(problem);
	}
}
