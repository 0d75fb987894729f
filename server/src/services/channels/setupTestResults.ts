import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';

export type TestScenario = 'delivery' | 'bounce' | 'complaint';

/** SES's mailbox simulator: each address answers one way, and none counts against the daily quota. */
export const SCENARIOS: { scenario: TestScenario; to: string; expected: string[] }[] = [
  { scenario: 'delivery', to: 'success@simulator.amazonses.com', expected: ['Send', 'Delivery'] },
  { scenario: 'bounce', to: 'bounce@simulator.amazonses.com', expected: ['Bounce'] },
  { scenario: 'complaint', to: 'complaint@simulator.amazonses.com', expected: ['Complaint'] },
];

/** SES usually publishes within seconds; after this the test says what is missing and why it may be. */
export const TEST_TIMEOUT_MS = 120_000;

export type TestSendResult = {
  id: string;
  to: string;
  scenario: TestScenario;
  expected: string[];
  received: { type: string; at: string }[];
  missing: string[];
  state: 'waiting' | 'passed' | 'failed';
  error: string | null;
  hint: string | null;
};

export type TestBatch = { batchId: string; sentAt: string; deadline: string; done: boolean; sends: TestSendResult[] };

/** Timestamps come back as text from raw queries (drizzle sets the driver's parsers). */
type Row = { id: string; to: string; error: string | null; sentAt: string; events: { type: string; at: string }[] };

/** One "Send test emails" click, with the events that arrived for each email so far (the page polls it). */
export async function readTestBatch(deps: Pick<Deps, 'sql' | 'now'>, tenantId: string, batchId: string): Promise<TestBatch> {
  const rows = await deps.sql<Row[]>`
    select ts.id, ts.to_address as "to", ts.error, ts.sent_at as "sentAt",
      coalesce(jsonb_agg(jsonb_build_object('type', me.event_type, 'at', me.received_at) order by me.received_at) filter (where me.id is not null), '[]') as events
    from test_sends ts
    left join message_events me on me.test_send_id = ts.id and me.tenant_id = ${tenantId}
    where ts.batch_id = ${batchId} and ts.tenant_id = ${tenantId} and ts.kind = 'setup'
    group by ts.id order by ts.sent_at, ts.id`;
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'No such test. Send the test emails again.');
  const sentAt = new Date(rows[0]?.sentAt ?? deps.now());
  const deadline = new Date(sentAt.getTime() + TEST_TIMEOUT_MS);
  const timedOut = deps.now() > deadline;
  const anyEvent = rows.some((r) => r.events.length > 0);
  const sends = rows.map((r): TestSendResult => {
    const scenario = SCENARIOS.find((s) => s.to === r.to) ?? { scenario: 'delivery' as const, to: r.to, expected: [] };
    const received = r.events.map((e) => ({ type: e.type, at: new Date(e.at).toISOString() }));
    const missing = scenario.expected.filter((type) => !received.some((e) => e.type === type));
    const state = r.error || (missing.length > 0 && timedOut) ? 'failed' : missing.length === 0 ? 'passed' : 'waiting';
    return { id: r.id, to: r.to, scenario: scenario.scenario, expected: scenario.expected, received, missing, state, error: r.error, hint: state === 'failed' && !r.error ? hintFor(missing, anyEvent) : null };
  });
  return { batchId, sentAt: sentAt.toISOString(), deadline: deadline.toISOString(), done: sends.every((s) => s.state !== 'waiting'), sends };
}

function hintFor(missing: string[], anyEvent: boolean): string {
  const what = `${missing.join(' and ')} did not arrive within ${TEST_TIMEOUT_MS / 60_000} minutes.`;
  return anyEvent
    ? `${what} Other events did, so the subscription works: the configuration set's event destination may not publish ${missing.join(' or ').toLowerCase()} events. Run "Set up event tracking" again to publish every event type.`
    : `${what} No event arrived for any test email: check that the SNS subscription is confirmed (above) and that the configuration set's event destination is enabled and points at Herald's topic.`;
}
