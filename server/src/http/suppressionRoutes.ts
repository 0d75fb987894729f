import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { importSuppressions } from '../services/audience/suppressionImport.js';
import { registerRestScope } from './restScope.js';

/** "Add from CSV" on the Suppressions page: the raw file as the request body. */
export function registerSuppressionRoutes(app: FastifyInstance, deps: Deps): void {
  registerRestScope(app, deps, '/api/suppressions', (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.post('/import', (req) => importSuppressions(deps, req.tenantId, 'csv upload', req.body as Readable));
  });
}
