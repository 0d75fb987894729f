import { z } from 'zod';
import { getProfile, updateProfile } from '../services/account/profile.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { nameInput } from './inputs.js';

export const tenantRouter = router({
  getProfile: tenantProcedure.query(({ ctx }) => getProfile(ctx.deps, ctx.tenantId)),
  updateProfile: tenantProcedure
    .input(
      z.object({
        companyName: nameInput('company name', 200),
        postalAddress: z
          .string({ error: 'Enter your postal address.' })
          .trim()
          .min(10, 'Enter a full postal address (street, city, postcode, country).')
          .max(500, 'A postal address has at most 500 characters.'),
      }),
    )
    .mutation(({ ctx, input }) => updateProfile(ctx.deps, ctx.tenantId, input)),
});
