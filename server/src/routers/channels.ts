import { z } from 'zod';
import { connectEmailChannel, disconnectEmailChannel, getEmailChannel, listVerifiedIdentities, refreshEmailChannel } from '../services/channels/emailChannel.js';
import { checkEmailKeys } from '../services/channels/checkKeys.js';
import { getEmailHealth } from '../services/channels/eventHealth.js';
import { setupEmailEvents } from '../services/channels/eventSetup.js';
import { sendSetupTestEmails } from '../services/channels/setupTest.js';
import { readTestBatch } from '../services/channels/setupTestResults.js';
import { sesRegionIds } from '../ses/regions.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { identitiesRouter } from './identities.js';
import { emailInput, idInput } from './inputs.js';

export const connectEmailInput = z.object({
  accessKeyId: z
    .string({ error: 'Enter the AWS Access Key ID.' })
    .trim()
    .regex(/^[A-Z0-9]{16,128}$/, 'An AWS Access Key ID is 16 to 128 capital letters and digits, like AKIA…'),
  secretAccessKey: z
    .string({ error: 'Enter the AWS Secret Access Key.' })
    .trim()
    .min(16, 'That is too short for an AWS Secret Access Key.')
    .max(128, 'That is too long for an AWS Secret Access Key.'),
  region: z.enum(sesRegionIds, { error: 'Amazon SES is not offered in that region. Pick one from the list.' }),
  senderEmail: emailInput,
  configurationSetName: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A configuration set name has 1 to 64 letters, digits, _ or -.')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export const channelsRouter = router({
  email: router({
    get: tenantProcedure.query(({ ctx }) => getEmailChannel(ctx.deps, ctx.tenantId)),
    /** Reads SES's quota and 24-hour usage again (the settings page opening). */
    refresh: tenantProcedure.mutation(({ ctx }) => refreshEmailChannel(ctx.deps, ctx.tenantId)),
    connect: tenantProcedure.input(connectEmailInput).mutation(({ ctx, input }) => connectEmailChannel(ctx.deps, ctx.tenantId, input)),
    /** Checks keys and lists identities without storing anything (fills the sender dropdown). */
    checkKeys: tenantProcedure
      .input(connectEmailInput.pick({ accessKeyId: true, secretAccessKey: true, region: true }))
      .mutation(({ ctx, input }) => checkEmailKeys(ctx.deps, input)),
    disconnect: tenantProcedure.mutation(({ ctx }) => disconnectEmailChannel(ctx.deps, ctx.tenantId)),
    verifiedEmails: tenantProcedure.query(async ({ ctx }) => ({ identities: await listVerifiedIdentities(ctx.deps, ctx.tenantId) })),
    /** Creates (or reuses) configuration set, SNS topic, event destination and webhook subscription in the tenant's account. */
    setupEvents: tenantProcedure.mutation(({ ctx }) => setupEmailEvents(ctx.deps, ctx.tenantId)),
    /** Whether SES events reach Herald: subscription, last event, events and refusals in 24 h, one-sentence verdict. */
    health: tenantProcedure.query(({ ctx }) => getEmailHealth(ctx.deps, ctx.tenantId)),
    /** Sends to SES's success, bounce and complaint simulator addresses; follow with testEmails. */
    sendTestEmails: tenantProcedure.mutation(({ ctx }) => sendSetupTestEmails(ctx.deps, ctx.tenantId)),
    testEmails: tenantProcedure.input(z.object({ batchId: idInput })).query(({ ctx, input }) => readTestBatch(ctx.deps, ctx.tenantId, input.batchId)),
    identities: identitiesRouter,
  }),
});
