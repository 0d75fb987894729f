import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig, type ProxyOptions } from 'vite';

const apiOrigin = process.env.HERALD_API_ORIGIN ?? 'http://127.0.0.1:3000';

// changeOrigin stays false so the Host header keeps matching the browser's Origin:
// the server rejects mutations whose Origin differs from Host.
const toApi: ProxyOptions = { target: apiOrigin, changeOrigin: false };

// Anchored on a path segment so SPA routes such as /users would never be proxied by accident.
const proxy: Record<string, ProxyOptions> = {
	'^/trpc(/|$)': toApi,
	'^/api(/|$)': toApi,
	'^/webhooks(/|$)': toApi,
	'^/u(/|$)': toApi
};

export default defineConfig({
	plugins: [tailwindcss(), sveltekit()],
	server: { proxy },
	preview: { proxy }
});
