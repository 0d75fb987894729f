import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import type { Roles } from '../src/boot.js';
import { startSesSimulator, type SesSimulator, type SesSimulatorOptions } from '../src/dev/sesSimulator.js';
import { startTestHerald, type TestHerald } from '../src/testing/index.js';
import { startSnsHost, type SnsHost } from './snsHelpers.js';

/**
 * The servers a test file shares, started in beforeAll and stopped in
 * afterAll. The handle's fields are set once beforeAll has run: read them in
 * tests and hooks, not at the top of the file. A file's own afterAll
 * (registered after this) runs first, while everything is still up.
 */
export type HeraldOnly = { herald: TestHerald };
export type HeraldWithSimulator = { sim: SesSimulator; herald: TestHerald };
export type HeraldWithSns = HeraldWithSimulator & { sns: SnsHost };

type HeraldOptions = { env?: Record<string, string>; roles?: Roles };

/** A real Herald on a fresh database for the file's tests. */
export function useHerald(opts: HeraldOptions = {}): HeraldOnly {
  const h = {} as HeraldOnly;
  beforeAll(async () => {
    h.herald = await startTestHerald(inject('adminDatabaseUrl'), opts);
  });
  explainFailures(h);
  afterAll(() => (h as Partial<HeraldOnly>).herald?.stop());
  return h;
}

/**
 * A call answered "Something went wrong on our side" says nothing of why: the reason is in the server's
 * error log. A failed test's message gets the error lines Herald logged while it ran, so a failure on a
 * CI machine explains itself in the report's summary.
 */
function explainFailures(h: HeraldOnly): void {
  beforeEach(({ onTestFailed }) => {
    const from = (h as Partial<HeraldOnly>).herald?.logs.length ?? 0;
    onTestFailed(({ task }) => {
      const lines = ((h as Partial<HeraldOnly>).herald?.logs.slice(from) ?? []).filter((line) => /"level":(50|60)/.test(line));
      if (lines.length === 0) return;
      const logged = lines.slice(-5).map(briefly).join('\n');
      for (const error of task.result?.errors ?? []) error.message += `\n\nHerald's error log during this test (last ${Math.min(5, lines.length)} of ${lines.length}):\n${logged}`;
    });
  });
}

/** A log line without what says nothing here (time, pid, host), its error's stack cut to the first frames. */
function briefly(line: string): string {
  const { time: _time, pid: _pid, hostname: _hostname, ...entry } = JSON.parse(line) as Record<string, unknown>;
  const err = entry.err as { stack?: string } | undefined;
  if (typeof err?.stack === 'string') err.stack = err.stack.split('\n').slice(0, 6).join('\n');
  return JSON.stringify(entry, null, 1).slice(0, 3000);
}

export type HeraldWithSimulatorOptions = HeraldOptions & {
  simulator?: SesSimulatorOptions;
  /** An SNS stand-in whose certificate Herald trusts, for tests that sign notifications themselves (`h.sns`). */
  snsHost?: boolean;
  /** The simulator posts the SES events of sent messages to Herald's webhook, signed with a certificate it serves. */
  simulatorEvents?: boolean;
  /**
   * Herald trusts the simulator's SNS certificate and SubscribeURLs, without the simulator's implicit
   * webhook: events then arrive only through subscriptions made with the SNS API (event-tracking setup).
   */
  simulatorSns?: boolean;
};

/** A real Herald sending through the SES simulator (SES_ENDPOINT), `env` and `roles` on top. */
export function useHeraldWithSimulator(opts: HeraldWithSimulatorOptions & { snsHost: true }): HeraldWithSns;
export function useHeraldWithSimulator(opts?: HeraldWithSimulatorOptions): HeraldWithSimulator;
export function useHeraldWithSimulator(opts: HeraldWithSimulatorOptions = {}): HeraldWithSimulator | HeraldWithSns {
  const h = {} as HeraldWithSns;
  beforeAll(async () => {
    h.sim = await startSesSimulator(opts.simulator);
    if (opts.snsHost) h.sns = await startSnsHost();
    // The certificate hosts Herald fetches signing certificates from: the SNS stand-in, the simulator itself, or both.
    const certHosts = [...(opts.snsHost ? [h.sns.allowPrefix] : []), ...(opts.simulatorEvents || opts.simulatorSns ? [h.sim.url] : [])];
    const env = { SES_ENDPOINT: h.sim.url, ...(certHosts.length > 0 ? { SNS_CERT_URL_ALLOW: certHosts.join(',') } : {}), ...opts.env };
    h.herald = await startTestHerald(inject('adminDatabaseUrl'), { env, roles: opts.roles });
    if (opts.simulatorEvents) h.sim.events.configure({ webhookUrl: `${h.herald.url}/webhooks/email` });
  });
  explainFailures(h);
  afterAll(async () => {
    const started = h as Partial<HeraldWithSns>;
    if (opts.simulatorEvents) started.sim?.events.configure({ webhookUrl: null }); // no posts into a closing server
    await started.herald?.stop();
    await started.sns?.stop();
    await started.sim?.stop();
  });
  return h;
}
