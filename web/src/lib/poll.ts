/**
 * Runs `step` again `every` ms after the previous run finished (never two at once), first
 * straight away unless `wait`. Returns the cleanup for an $effect: no run starts after it.
 */
export function poll(step: () => Promise<unknown>, every: number, { wait = false } = {}): () => void {
	let stopped = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const tick = async () => {
		await step();
		if (!stopped) timer = setTimeout(tick, every);
	};
	if (wait) timer = setTimeout(tick, every);
	else void tick();
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
