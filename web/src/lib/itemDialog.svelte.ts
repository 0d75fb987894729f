/**
 * A dialog that is open while its page names an item (a list to rename, an address to remove):
 * `open` follows `item()`, closing the dialog calls `onClose`, and `shown` keeps the last item
 * on screen while the dialog fades out. Create it while the dialog component initialises.
 */
export class ItemDialog<T> {
	open = $state(false);
	shown = $state<T | null>(null);

	constructor(item: () => T | null, onClose: () => void) {
		$effect(() => {
			const current = item();
			this.open = current !== null;
			if (current) this.shown = current;
		});
		$effect(() => {
			if (!this.open && item()) onClose();
		});
	}
}
