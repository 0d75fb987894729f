export interface Throttled {
	/** Ask for a run: now if the last one started long enough ago, else once when the wait is over. */
	run: () => void;
	/** Drop a pending run (the component went away). */
	cancel: () => void;
}

/**
 * Runs `task` at most once per `ms`, leading and trailing: the first call runs at once, calls
 * during the wait fold into one run at its end, and a run never starts while the previous one
 * is still going (a slow answer delays the next run instead of stacking requests).
 */
export function throttle(task: () => Promise<void> | void, ms: number): Throttled {
	let lastStart = -Infinity;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let running = false;
	let wanted = false;
	let cancelled = false;

	async function start() {
		timer = undefined;
		wanted = false;
		running = true;
		lastStart = Date.now();
		try {
			await task();
		} finally {
			running = false;
			if (wanted && !cancelled) schedule();
		}
	}

	function schedule() {
		if (timer !== undefined) return;
		const wait = Math.max(0, lastStart + ms - Date.now());
		timer = setTimeout(() => void start(), wait);
	}

	return {
		run() {
			if (cancelled) return;
			wanted = true;
			if (running) return;
			schedule();
		},
		cancel() {
			cancelled = true;
			clearTimeout(timer);
			timer = undefined;
		}
	};
}
