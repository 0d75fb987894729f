/**
 * Runs the SES/STS simulator on its own:
 * `tsx src/cli/ses-sim.ts [--port 4579] [--host 127.0.0.1] [--webhook http://127.0.0.1:3000/webhooks/email]`.
 * With `--webhook`, SES events are posted there as signed SNS notifications.
 * Options come from argv, not the environment (only env.ts reads process.env).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../logging/logger.js';
import { onShutdownSignal } from '../shutdown.js';
import {
  DEMO_ACCESS_KEY_ID,
  DEMO_ACCOUNT_ID,
  DEMO_SECRET_ACCESS_KEY,
  NO_IDENTITIES_ACCESS_KEY_ID,
  NO_QUOTA_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_ID,
} from '../dev/accounts.js';
import { startSesSimulator } from '../dev/sesSimulator.js';

const DEFAULT_PORT = 4579;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    host: { type: 'string', default: '127.0.0.1' },
    webhook: { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

if (values.webhook !== undefined && !/^https?:\/\//.test(values.webhook)) {
  console.error(`--webhook must be an http(s) URL, got ${values.webhook}`);
  process.exit(2);
}

const logger = createLogger('info');
const simulator = await startSesSimulator({ port, host: values.host, logger, events: { webhookUrl: values.webhook ?? null } });

console.log(`
SES/SNS/STS simulator at ${simulator.url}   (endpoint for SESClient / SNSClient / STSClient; any region)

  demo key        ${DEMO_ACCESS_KEY_ID}   account ${DEMO_ACCOUNT_ID}, sender demo@herald.test or any @herald.test
  secret          ${DEMO_SECRET_ACCESS_KEY}   (the same for every preset key)
  sandbox key     ${SANDBOX_ACCESS_KEY_ID}   1/s, 200/day, verified recipients only
  no-quota key    ${NO_QUOTA_ACCESS_KEY_ID}   GetSendQuota → AccessDenied
  no-identities   ${NO_IDENTITIES_ACCESS_KEY_ID}   ListIdentities → AccessDenied

  GET  ${simulator.url}/_simulator/messages     what was sent
  POST ${simulator.url}/_simulator/reset        forget messages and quota counters
  GET  ${simulator.url}/_simulator/accounts     keys (without secrets)
  PUT  ${simulator.url}/_simulator/accounts/:accessKeyId   add or replace a key (see src/dev/README.md)
  GET  ${simulator.url}/_simulator/events       SES event options and counters
  POST ${simulator.url}/_simulator/events       change them, e.g. {"webhookUrl":"http://127.0.0.1:3000/webhooks/email"}
  GET  ${simulator.url}/_simulator/sns/topics   topics made through the SNS API, with their subscriptions
  GET  ${simulator.url}/_simulator/configuration-sets[?accountId=]   configuration sets made through the SES API

  SES events → ${values.webhook ?? 'nowhere yet (pass --webhook <url> or POST /_simulator/events)'}
  A webhook must trust ${simulator.url} (SNS_CERT_URL_ALLOW) for the simulator's signing certificate.
`);

onShutdownSignal(logger, simulator.stop);
