import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.js';

/** Prefixes that belong to the API; an unknown path under them is a 404, never the SPA. */
const API_PREFIXES = ['/trpc', '/api/', '/webhooks/', '/u/', '/healthz', '/readyz', '/metrics'];

/**
 * Serves the built SvelteKit SPA from the same origin as the API, with
 * index.html as the fallback for client-side routes.
 */
export async function registerWebApp(app: FastifyInstance, webDist: string, logger: Logger): Promise<void> {
  const index = path.join(webDist, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ webDist }, 'web app not built: run `npm run build` (npm start does it for you)');
    return;
  }
  await app.register(fastifyStatic, { root: webDist, wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    if (req.method !== 'GET' || API_PREFIXES.some((p) => url.startsWith(p)) || path.extname(url) !== '') {
      return reply.code(404).send({ error: 'Not Found', message: `No route for ${req.method} ${url}` });
    }
    return reply.type('text/html').sendFile('index.html');
  });
}
