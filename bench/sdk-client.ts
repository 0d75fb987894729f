/**
 * The limit bench/send.ts holds the send pipeline to: the AWS SDK alone
 * calling SendRawEmail against the same simulator, in a process of its own
 * (as a worker is), with the same client settings (ses/clients.ts), the same
 * call (ses/sendRawEmail.ts: destinations, configuration set, message tags)
 * and a message built as a campaign's is, `concurrency` calls in flight.
 * No database, no rendering, no rate limiter: only what every email costs
 * whatever Herald does around it. Driven over IPC (procs.ts startClient).
 */
import { randomUUID } from 'node:crypto';
import { createSesClients } from '../server/src/ses/clients.js';
import { trySendRawEmail } from '../server/src/ses/sendRawEmail.js';

export type SdkSendJob = {
  kind: 'sdk-send';
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** One campaign-like MIME message, sent to every recipient. */
  raw: Uint8Array;
  count: number;
  concurrency: number;
  configurationSetName: string | null;
};
export type SdkSendResult = { kind: 'sdk-sent'; sent: number; failed: number; seconds: number; cpuSeconds: number; firstError: string | null };

async function run(job: SdkSendJob): Promise<SdkSendResult> {
  const clients = createSesClients();
  const ses = clients.get({ region: 'us-east-1', endpoint: job.endpoint, credentials: job.credentials });
  const raw = Buffer.from(job.raw);
  const tenantId = randomUUID();
  const campaignId = randomUUID();
  let next = 0;
  let sent = 0;
  let failed = 0;
  let firstError: string | null = null;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const loop = async () => {
    while (next < job.count) {
      const i = next++;
      const result = await trySendRawEmail(ses, {
        raw,
        to: `reader-${i}@inbox.test`,
        configurationSetName: job.configurationSetName,
        tags: { tenantId, campaignId, messageId: randomUUID() },
      });
      if (result.ok) sent += 1;
      else {
        failed += 1;
        firstError ??= `${result.failure.code}: ${result.failure.reason}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clients.close();
  return { kind: 'sdk-sent', sent, failed, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, firstError };
}

process.on('message', (job: SdkSendJob | { kind: 'exit' }) => {
  if (job.kind === 'exit') process.exit(0);
  run(job).then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ kind: 'error', message: err instanceof Error ? err.stack : String(err) }),
  );
});
