import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { listEmailsInput } from '../routers/emails.js';
import { sendEmailInput } from '../routers/emails.inputs.js';
import { sendEmail } from '../services/emails/acceptEmail.js';
import { listEmails } from '../services/emails/listEmails.js';
import { getEmail } from '../services/emails/readEmails.js';
import { idInput } from '../routers/inputs.js';
import { registerRestScope } from './restScope.js';

/** SES's 10 MB raw limit, base64-encoded in JSON (×4/3), plus room for the rest of the request. */
const SEND_BODY_LIMIT = 15 * 1024 * 1024;

/**
 * The transactional email API over plain HTTP: the same services as
 * emails.send/get/list. The Idempotency-Key header is the body's
 * idempotencyKey (the header wins when both are given and differ: the
 * header is what HTTP clients and proxies retry with).
 */
export function registerEmailRoutes(app: FastifyInstance, deps: Deps): void {
  registerRestScope(app, deps, '/api/v1/emails', (scope) => {
    scope.post('/', { bodyLimit: SEND_BODY_LIMIT }, async (req, reply) => {
      const header = req.headers['idempotency-key'];
      const key = Array.isArray(header) ? header[0] : header;
      const body = typeof req.body === 'object' && req.body !== null ? req.body : {};
      const input = sendEmailInput.parse(key !== undefined ? { ...body, idempotencyKey: key } : body);
      const answer = await sendEmail(deps, { tenantId: req.tenantId, apiKeyId: req.apiKeyId }, input);
      return reply.code(202).send(answer);
    });
    scope.get('/', (req) => listEmails(deps, req.tenantId, listEmailsInput.parse(queryOf(req.query))));
    scope.get<{ Params: { id: string } }>('/:id', (req) => getEmail(deps, req.tenantId, idInput.parse(req.params.id)));
  });
}

/** Query strings are flat: `tag=name:value`, `limit=20`. */
function queryOf(query: unknown): Record<string, unknown> {
  const q = { ...(query as Record<string, string>) } as Record<string, unknown>;
  if (typeof q.limit === 'string') q.limit = Number(q.limit);
  if (typeof q.tag === 'string') {
    const [name, ...value] = q.tag.split(':');
    q.tag = { name, value: value.join(':') };
  }
  return q;
}
