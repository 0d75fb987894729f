import { router } from '../trpc/init.js';
import { apiKeysRouter } from './apiKeys.js';
import { authRouter } from './auth.js';
import { channelsRouter } from './channels.js';

export const appRouter = router({
  auth: authRouter,
  apiKeys: apiKeysRouter,
  channels: channelsRouter,
});

/** What the web app and other services import (type-only) for a type-safe client. */
export type AppRouter = typeof appRouter;
