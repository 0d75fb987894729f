import { router } from '../trpc/init.js';
import { apiKeysRouter } from './apiKeys.js';
import { authRouter } from './auth.js';
import { campaignsRouter } from './campaigns.js';
import { channelsRouter } from './channels.js';
import { contactsRouter } from './contacts.js';
import { dashboardRouter } from './dashboard.js';
import { emailsRouter } from './emails.js';
import { listsRouter } from './lists.js';
import { reputationRouter } from './reputation.js';
import { segmentsRouter } from './segments.js';
import { suppressionsRouter } from './suppressions.js';
import { tenantRouter } from './tenant.js';
import { templatesRouter } from './templates.js';

export const appRouter = router({
  auth: authRouter,
  apiKeys: apiKeysRouter,
  channels: channelsRouter,
  tenant: tenantRouter,
  contacts: contactsRouter,
  lists: listsRouter,
  suppressions: suppressionsRouter,
  campaigns: campaignsRouter,
  reputation: reputationRouter,
  dashboard: dashboardRouter,
  emails: emailsRouter,
  templates: templatesRouter,
  segments: segmentsRouter,
});

/** What the web app and other services import (type-only) for a type-safe client. */
export type AppRouter = typeof appRouter;
