/**
 * Signed SNS notifications for the SES-event benches: the test signing key
 * and a local stand-in for the certificate host (server/test/fixtures/sns/),
 * and signing in the client processes.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './lib.js';
import type { Client } from './procs.js';
import type { SignItem, SignJob, SignResult } from './sign-job.js';

/** A file of server/test/fixtures/. */
export const fixture = (p: string) => readFileSync(path.join(repoRoot, 'server/test/fixtures', p), 'utf8');
/** The test key SNS notifications are signed with (server/test/fixtures/sns/). */
export const SNS_KEY_PEM = fixture('sns/signing-key.pem');
const CERT_PEM = fixture('sns/signing-cert.pem');
const CERT_PATH = '/sns/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

/** Serves a signing certificate (the test one by default), as sns.<region>.amazonaws.com would (allow it with SNS_CERT_URL_ALLOW). */
export async function startCertHost(certPem = CERT_PEM) {
  let fetched = 0;
  const server = createServer((req, res) => {
    if (req.url === CERT_PATH) {
      fetched += 1;
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(certPem);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    allowPrefix: `${url}/sns/`,
    certUrl: `${url}${CERT_PATH}`,
    fetched: () => fetched,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type CertHost = Awaited<ReturnType<typeof startCertHost>>;

/**
 * Signs the items on all client processes at once, in contiguous parts
 * written to `<prefix>-<i>.ndjson`, so the files in order keep the items' order.
 */
export async function signAll(clients: Client<SignJob>[], certUrl: string, items: SignItem[], prefix: string): Promise<{ files: string[]; ms: number }> {
  const started = performance.now();
  const part = Math.ceil(items.length / clients.length);
  const files = clients.map((_, i) => `${prefix}-${i}.ndjson`);
  await Promise.all(
    clients.map((c, i) => c.call<SignResult>({ kind: 'sign', certUrl, keyPem: SNS_KEY_PEM, items: items.slice(i * part, (i + 1) * part), file: files[i]! })),
  );
  return { files, ms: performance.now() - started };
}
