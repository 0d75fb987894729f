import fastifyCookie from '@fastify/cookie';
import type { TRPCError } from '@trpc/server';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerCampaignExportRoutes } from './http/campaignExportRoutes.js';
import { registerHealthRoutes } from './http/health.js';
import { createLoginThrottle } from './http/loginThrottle.js';
import { registerImportRoutes } from './http/importRoutes.js';
import { registerMetricsRoute } from './http/metricsRoute.js';
import { registerMetricsStreamRoute } from './http/metricsStreamRoute.js';
import { registerEmailRoutes } from './http/restEmails.js';
import { registerChannelRoutes } from './http/restChannels.js';
import { registerSuppressionRoutes } from './http/suppressionRoutes.js';
import { registerUnsubscribeRoutes } from './http/unsubscribeRoutes.js';
import { registerWebApp } from './http/webApp.js';
import { answerDatabaseOutages } from './http/unavailable.js';
import { registerWebhookRoutes } from './http/webhookRoutes.js';
import { startMetricsHub } from './realtime/metricsHub.js';
import { appRouter, type AppRouter } from './routers/index.js';
import type { Deps } from './deps.js';
import { contextFactory } from './trpc/context.js';

export type BuildAppOptions = { serveWeb?: boolean };

/** Builds the HTTP app (not listening): tests use inject() or listen({ port: 0 }). */
export async function buildApp(deps: Deps, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify's logger type trails pino's; the instance is a regular pino logger.
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Open SSE subscriptions would otherwise hold close() forever.
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 5000 },
    // Campaign bodies may hold up to 1 MB of HTML plus 1 MB of text (multi-byte characters count more).
    bodyLimit: 4 * 1024 * 1024,
    trustProxy: false,
  });

  await app.register(fastifyCookie);
  answerDatabaseOutages(app, deps);
  registerHealthRoutes(app, deps);
  registerChannelRoutes(app, deps);
  registerEmailRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerSuppressionRoutes(app, deps);
  registerCampaignExportRoutes(app, deps);
  registerUnsubscribeRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerMetricsRoute(app, { registry: deps.metrics.registry, token: deps.env.metricsToken, logger: deps.logger });

  const loginThrottle = await createLoginThrottle(app, deps.sql);
  const metricsHub = await startMetricsHub(deps);
  const unwatchHub = deps.metrics.realtime.watch(metricsHub.stats);
  app.addHook('onClose', () => {
    unwatchHub();
    return metricsHub.close();
  });
  const createContext = contextFactory(deps, loginThrottle, metricsHub);
  const onError = ({ path, error, type }: { path?: string; error: TRPCError; type: string }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') deps.logger.error({ err: error.cause ?? error, path, type }, 'procedure failed');
  };
  registerMetricsStreamRoute(app, { createContext, onError });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext,
      onError,
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  if (opts.serveWeb !== false) await registerWebApp(app, deps.env.webDist, deps.logger);
  return app;
}
