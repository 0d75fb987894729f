import type { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Deps } from '../deps.js';
import { receiveUpload } from '../services/imports/upload.js';
import { registerRestScope } from './restScope.js';

const uploadQuery = z.object({ fileName: z.string().trim().min(1).max(255).default('contacts.csv') });

/**
 * CSV uploads are raw request bodies (any content type: browsers label CSV
 * files inconsistently), streamed straight into the database. tRPC stays
 * JSON-only; the mapping step and progress go through contacts.import*.
 */
export function registerImportRoutes(app: FastifyInstance, deps: Deps): void {
  registerRestScope(app, deps, '/api/contacts/imports', (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    scope.post('/', async (req) => {
      const { fileName } = uploadQuery.parse(req.query);
      return receiveUpload(deps, { tenantId: req.tenantId, userId: req.userId }, fileName, req.body as Readable);
    });

    scope.get<{ Params: { id: string } }>('/:id/errors.csv', async (req, reply) => {
      const id = z.uuid({ error: 'Expected an import id.' }).parse(req.params.id);
      const [owned] = await deps.sql`select file_name from contact_imports where id = ${id} and tenant_id = ${req.tenantId}`;
      if (!owned) throw new AppError('NOT_FOUND', 'No import with this id.');
      const rows = deps.sql`select line, email, reason from import_errors where import_id = ${id} order by line`.cursor(1000);
      const csv = stringify({ header: true, columns: ['line', 'email', 'reason'] });
      void (async () => {
        try {
          for await (const batch of rows) for (const row of batch) csv.write([row.line, row.email ?? '', row.reason]);
          csv.end();
        } catch (err) {
          csv.destroy(err as Error);
        }
      })();
      const base = String(owned.file_name).replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${base}-errors.csv"`).send(csv);
    });
  });
}
