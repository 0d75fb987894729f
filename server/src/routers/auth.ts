import { z } from 'zod';
import { clearSessionCookie, setSessionCookie } from '../http/sessionCookie.js';
import { accountView, signIn, signUp } from '../services/account/auth.js';
import { revokeSession } from '../services/account/sessions.js';
import { publicProcedure, router, sessionProcedure } from '../trpc/init.js';
import { emailInput, nameInput, newPasswordInput, passwordInput } from './inputs.js';
import { AppError } from '../errors.js';

export const authRouter = router({
  signUp: publicProcedure
    .input(z.object({ email: emailInput, password: newPasswordInput, tenantName: nameInput('company name') }))
    .mutation(async ({ ctx, input }) => {
      const { session, ...account } = await signUp(ctx.deps, input);
      setSessionCookie(ctx.res, ctx.deps.env.publicUrl, session.token, session.expiresAt);
      return account;
    }),

  signIn: publicProcedure.input(z.object({ email: emailInput, password: passwordInput })).mutation(async ({ ctx, input }) => {
    await ctx.loginThrottle.check(ctx.req, input.email);
    try {
      const { session, ...account } = await signIn(ctx.deps, input);
      setSessionCookie(ctx.res, ctx.deps.env.publicUrl, session.token, session.expiresAt);
      return account;
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHORIZED') await ctx.loginThrottle.recordFailure(ctx.req, input.email);
      throw err;
    }
  }),

  signOut: sessionProcedure.mutation(async ({ ctx }) => {
    await revokeSession(ctx.deps, ctx.session.sessionId);
    clearSessionCookie(ctx.res, ctx.deps.env.publicUrl);
    return { ok: true as const };
  }),

  /** The signed-in account, or null: the web app asks this to decide where to go. */
  me: publicProcedure.query(({ ctx }) => (ctx.principal?.kind === 'session' ? accountView(ctx.principal) : null)),
});
