/**
 * Runs the SES/STS simulator on its own:
 * `tsx src/cli/ses-sim.ts [--port 4579] [--host 127.0.0.1] [--webhook http://127.0.0.1:3000/webhooks/email]`.
 * With `--webhook`, SES events are posted there as signed SNS notifications; given several times
 * (API processes behind a load balancer), to each URL in turn.
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
    webhook: { type: 'string', multiple: true },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

const webhooks = values.webhook ?? [];
const notHttp = webhooks.find((url) => !/^https?:\/\//.test(url));
if (notHttp !== undefined) {
  console.error(`--webhook must be an http(s) URL, got ${notHttp}`);
  process.exit(2);
}
const webhookUrl = webhooks.length === 0 ? null : webhooks.length === 1 ? webhooks[0]! : webhooks;

const logger = createLogger('info');
const simulator = await startSesSimulator({ port, host: values.host, logger, events: { webhookUrl } });

console.log(`
SES/SNS/STS simulator at ${simulator.url}   (endpoint for SESClient / SNSClient / STSClient; any region)

  demo key        ${DEMO_ACCESS_KEY_ID}   account ${DEMO_ACCOUNT_ID}, sender demo@herald.test or any @herald.test
  secret          ${DEMO_SECRET_ACCESS_KEY}   (the same for every preset key)
  sandbox key     ${SANDBOX_ACCESS_KEY_ID}   1/s, 200/day, verified recipients only
  no-quota key    ${NO_QUOTA_ACCESS_KEY_ID}   GetSendQuota → AccessDenied
  no-identities   ${NO_IDENTITIES_ACCESS_KEY_ID}   ListIdentities → AccessDenied

  GET  ${simulator.url}/_simulator/messages     what was sent
  GET  ${simulator.url}/_simulator/rate-refusals   sends refused for the rate, per account
  POST ${simulator.url}/_simulator/reset        forget messages and quota counters
  GET  ${simulator.url}/_simulator/accounts     keys (without secrets)
  PUT  ${simulator.url}/_simulator/accounts/:accessKeyId   add or replace a key (see src/dev/README.md)
  GET  ${simulator.url}/_simulator/events       SES event options and counters
  POST ${simulator.url}/_simulator/events       change them, e.g. {"webhookUrl":"http://127.0.0.1:3000/webhooks/email"}
  GET  ${simulator.url}/_simulator/sns/topics   topics made through the SNS API, with their subscriptions
  GET  ${simulator.url}/_simulator/configuration-sets[?accountId=]   configuration sets made through the SES API

  SES events → ${webhooks.length > 0 ? webhooks.join(', then ') : 'nowhere yet (pass --webhook <url> or POST /_simulator/events)'}
  A webhook must trust ${simulator.url} (SNS_CERT_URL_ALLOW) for the simulator's signing certificate.
`);

onShutdownSignal(logger, simulator.stop);
