import { resolve } from '$app/paths';
import type { Pathname } from '$app/types';

/**
 * `resolve` for a path held in a variable typed as any of the app's
 * pathnames (navigation items, fix links). TypeScript relates such a union
 * argument to `resolve`'s one-signature-per-route only up to 25 routes, and
 * the app has more; a path without parameters only needs the base path.
 */
export function resolvePathname(path: Pathname): string {
	return (resolve as (path: string) => string)(path);
}
