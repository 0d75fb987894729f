import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { presetAccounts, simAccountSchema, type SimAccountInput } from './accounts.js';
import { answerAwsRequest } from './awsEndpoint.js';
import { logClientErrors } from './clientErrors.js';
import { answerControlRequest, CONTROL_PREFIX } from './controlRoutes.js';
import { createLoopWatch } from './loopWatch.js';
import { createSimEvents, type SimEvents } from './simEvents.js';
import type { SimEventsOptions } from './simEventsOptions.js';
import { type SimMessage, SimulatorState } from './simulatorState.js';

export {
  DEMO_ACCESS_KEY_ID,
  DEMO_ACCOUNT_ID,
  DEMO_SECRET_ACCESS_KEY,
  NO_IDENTITIES_ACCESS_KEY_ID,
  NO_QUOTA_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCOUNT_ID,
  type SimAccount,
  type SimAccountInput,
} from './accounts.js';
export type { PublicSimAccount, SimMessage, SimulatorState } from './simulatorState.js';
export type { SimEvents, SimEventsStats } from './simEvents.js';
export type { PublicSimEventsOptions, SimEventsOptions } from './simEventsOptions.js';

/**
 * Called once for every message SES accepted, after it is recorded and without delaying the
 * answer (the simulator's own SES events are scheduled on the same path, see `events`). A thrown
 * error or rejection is logged, nothing more.
 */
export type AcceptedMessageHook = (message: SimMessage) => void | Promise<void>;

export interface SesSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Added to the preset demo keys (README.md); an entry with a preset's key replaces it. */
  accounts?: SimAccountInput[];
  logger?: Logger;
  /** Milliseconds since the epoch (default Date.now); a test may drive it. Must not go backwards. */
  clock?: () => number;
  onMessageAccepted?: AcceptedMessageHook;
  /**
   * SES events posted as signed SNS notifications (README.md, "SES events over SNS"). Nothing is
   * posted until `webhookUrl` is set, here or later through `sim.events.configure`.
   */
  events?: Partial<SimEventsOptions>;
}

export interface SesSimulator {
  /** Base URL, e.g. `http://127.0.0.1:4579`: the `endpoint` for SESClient and STSClient. */
  url: string;
  state: SimulatorState;
  /** Options, counters and `idle()` of the SES events it posts. */
  events: SimEvents;
  /** Cancels every scheduled or in-flight event, then closes the server. */
  stop(): Promise<void>;
}

/** Starts an HTTP server that answers the SES v1 and STS Query APIs like AWS, plus `/_simulator/` controls. */
export async function startSesSimulator(options: SesSimulatorOptions = {}): Promise<SesSimulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const accounts = [...presetAccounts(), ...(options.accounts ?? []).map((a) => simAccountSchema.parse(a))];
  const state = new SimulatorState(accounts, options.clock);
  const hook = options.onMessageAccepted;
  let url = '';
  const events = createSimEvents({ baseUrl: () => url, state, logger, options: options.events });
  state.onReset(() => events.reset());
  const loopWatch = createLoopWatch();
  // A test that drives the clock itself decides when sends arrive: no real stall moves them.
  const arrivalUncertaintyMs = () => (options.clock ? 0 : loopWatch.uncertaintyMs());

  const announce = (message: SimMessage): void => {
    // Scheduled synchronously, so `events.idle()` right after the API answer already waits for them.
    events.accept(message);
    if (!hook) return;
    // Deferred, so the hook runs after the answer is on its way, as SES events follow the API reply.
    setImmediate(() => {
      Promise.resolve()
        .then(() => hook(message))
        .catch((err: unknown) => logger.error({ err, messageId: message.messageId }, 'SES simulator: accepted-message hook failed'));
    });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = path.startsWith(CONTROL_PREFIX)
      ? answerControlRequest({ state, events, loopWatch }, req, res)
      : req.method === 'POST'
        ? answerAwsRequest({ state, logger, announce, askToConfirm: events.askToConfirm, arrivalUncertaintyMs }, req, res)
        : Promise.resolve(notFound(res));
    answer.catch((err: unknown) => {
      logger.error({ err }, 'SES simulator: request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  logClientErrors(server, logger);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  logger.info({ url }, 'SES simulator listening');

  return {
    url,
    state,
    events,
    stop: async () => {
      loopWatch.stop();
      await events.stop();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      });
    },
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`SES simulator: AWS calls are POST /; test controls live under ${CONTROL_PREFIX}\n`);
}
