import type { FastifyInstance } from 'fastify';
import { connectEmailInput } from '../routers/channels.js';
import type { Deps } from '../deps.js';
import { connectEmailChannel, disconnectEmailChannel, getEmailChannel, listVerifiedIdentities } from '../services/channels/emailChannel.js';
import { setupEmailEvents } from '../services/channels/eventSetup.js';
import { registerRestScope } from './restScope.js';

/** The original plan's REST routes for the email channel: the same services as channels.email.*. */
export function registerChannelRoutes(app: FastifyInstance, deps: Deps): void {
  registerRestScope(app, deps, '/api/tenant/channels/email', (scope) => {
    scope.get('/', (req) => getEmailChannel(deps, req.tenantId));
    scope.post('/', (req) => connectEmailChannel(deps, req.tenantId, connectEmailInput.parse(req.body ?? {})));
    scope.delete('/', (req) => disconnectEmailChannel(deps, req.tenantId));
    scope.get('/verified-emails', async (req) => ({ identities: await listVerifiedIdentities(deps, req.tenantId) }));
    scope.post('/events/setup', (req) => setupEmailEvents(deps, req.tenantId));
  });
}
