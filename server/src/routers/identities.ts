import { z } from 'zod';
import { addSenderIdentity, listSenderIdentities, removeSenderIdentity } from '../services/channels/identities.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { emailInput } from './inputs.js';

/** A registrable domain name: labels of letters, digits and hyphens, a dot, 253 characters at most. */
const domainInput = z
  .string({ error: 'Enter a domain, like example.com.' })
  .trim()
  .toLowerCase()
  .max(253, 'A domain has at most 253 characters.')
  .regex(/^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/, 'Enter a domain like example.com or mail.example.com (no http://, no @).');

const identityInput = z.union(
  [z.strictObject({ email: emailInput }), z.strictObject({ domain: domainInput })],
  { error: 'Give either an email address ({ email }) or a domain ({ domain }).' },
);

export const identitiesRouter = router({
  list: tenantProcedure.query(({ ctx }) => listSenderIdentities(ctx.deps, ctx.tenantId)),
  add: tenantProcedure.input(identityInput).mutation(({ ctx, input }) => addSenderIdentity(ctx.deps, ctx.tenantId, input)),
  remove: tenantProcedure
    .input(z.object({ identity: z.string({ error: 'Name the identity to remove.' }).trim().min(1, 'Name the identity to remove.').max(254, 'An identity has at most 254 characters.') }))
    .mutation(({ ctx, input }) => removeSenderIdentity(ctx.deps, ctx.tenantId, input.identity)),
});
