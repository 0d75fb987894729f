import { debounce } from './paging.svelte';

/**
 * What a searchable table asks for: the text typed and one filter (a status, a reason). The
 * table queries `applied`, which takes the filter at once and the text once typing pauses.
 * Create it while a component initialises.
 */
export class SearchFilter<F extends string> {
	text = $state('');
	filter = $state<F | ''>('');
	applied = $state<{ text: string; filter: F | '' }>({ text: '', filter: '' });

	constructor() {
		$effect(() => {
			const next = { text: this.text.trim(), filter: this.filter };
			if (next.text === this.applied.text && next.filter === this.applied.filter) return;
			if (next.filter !== this.applied.filter) {
				this.applied = next;
				return;
			}
			return debounce(() => (this.applied = next), 250);
		});
	}

	/** Something narrows the rows down. */
	get active(): boolean {
		return this.applied.text !== '' || this.applied.filter !== '';
	}

	clear(): void {
		this.text = '';
		this.filter = '';
	}
}
