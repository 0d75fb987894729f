/**
 * The `sign` job of the benches' client processes (webhook-client.ts,
 * metrics-client.ts): SNS notifications signed as SNS does
 * (server/src/dev/snsMessages.ts, RSA-2048 with the test key), one envelope
 * per line of a file, before anything is timed.
 */
import { writeFileSync } from 'node:fs';
import { signedNotification } from '../server/src/dev/snsMessages.js';

export type SignItem = { topicArn: string; messageId: string; message: string };
export type SignJob = { kind: 'sign'; certUrl: string; keyPem: string; items: SignItem[]; file: string };
export type SignResult = { kind: 'signed'; count: number; ms: number };

export function sign(job: SignJob): SignResult {
  const started = performance.now();
  const signer = { certUrl: job.certUrl, keyPem: job.keyPem };
  const lines = job.items.map((item) => JSON.stringify(signedNotification(signer, { topicArn: item.topicArn, messageId: item.messageId, message: item.message })));
  writeFileSync(job.file, `${lines.join('\n')}\n`);
  return { kind: 'signed', count: lines.length, ms: performance.now() - started };
}
