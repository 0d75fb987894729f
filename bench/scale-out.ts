/**
 * bench/scale-out: Herald scaled out on one database (issue "Operations"). 2 API processes
 * (`WORKER=off`, own ports) and 3 worker processes, the SES/SNS simulator in a process of its own; three
 * tenants whose SES accounts allow 14, 50 and 200 emails/s send a campaign each at once, sized to
 * take --seconds each; the simulator posts SES events to the API processes in turn; every campaign has
 * a live-metrics subscriber on every API process. Checks, each a GOAL line: no tenant above its rate
 * in any one-second window at the simulator (nor refused for trying), every message terminal exactly once,
 * the 14/s tenant at ≥ 98 % of its rate while all three send (and at ≥ 95 % of the fraction of its rate the
 * 200/s tenant got), the subscribers on both API processes equal
 * to the database at the end, and more than one worker process sending.
 * The scenario itself is `server/test/scaleOut/run.ts`, shared with the shorter `server/test/scaleOut.int.test.ts`.
 * Run: `npm run bench:scale-out` or `node --import tsx bench/scale-out.ts [--database-url postgres://…/test] [--seconds 65] [--rates 14,50,200] [--events on|off]`.
 */
import postgres from 'postgres';
import { createTestDatabase } from '../server/src/testing/database.js';
import { runScaleOut } from '../server/test/scaleOut/run.js';
import { benchArgs, checkGoal, loadAverages, machine, say } from './lib.js';

const args = benchArgs({ seconds: { type: 'string', default: '65' }, rates: { type: 'string', default: '14,50,200' }, events: { type: 'string', default: 'on' } });
const seconds = Number(args.seconds);
// --rates 14 --events off: one tenant alone, no SNS traffic: what the limiter does when the machine is not saturated.
const rates = args.rates!.split(',').map(Number);
if (!(seconds > 0) || rates.some((r) => !(r > 0)) || !['on', 'off'].includes(args.events!)) throw new Error('--seconds and --rates must be positive numbers, --events on or off');
const adminUrl = args['database-url']!;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const [{ version }] = (await admin`select version()`) as unknown as [{ version: string }];
await admin.end();
say(`machine: ${machine()}, ${version.split(' on ')[0]}; ${new Date().toISOString()}; load average ${loadAverages()}`);

const database = await createTestDatabase(adminUrl);
try {
  const { checks } = await runScaleOut({
    databaseUrl: database.url,
    apis: 2,
    workers: 3,
    // Each campaign takes about --seconds at its tenant's rate, so all three send side by side throughout.
    tenants: rates.map((rate) => ({ name: `tenant-${rate}`, rate, recipients: rate * seconds })),
    ...(args.events === 'off' ? { events: { webhookUrl: null } } : {}),
    fairShare: 0.98,
    relativeFairShare: 0.95,
    sendTimeoutS: seconds * 4 + 60,
    log: say,
  });
  for (const check of checks) checkGoal(check.name, check.value, check.goal);
  say(`load average at the end ${loadAverages()}`);
} finally {
  await database.drop();
}
