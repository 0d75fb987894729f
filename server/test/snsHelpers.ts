import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SnsEnvelope, SnsSigner } from '../src/dev/snsMessages.js';

const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');

/** The test-only signing certificate and key (fixtures/sns/README.md). */
export const TEST_CERT_PEM = fixture('sns/signing-cert.pem');
export const TEST_KEY_PEM = fixture('sns/signing-key.pem');

export const CERT_PATH = '/sns/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

/**
 * A local stand-in for SNS's certificate host and ConfirmSubscription
 * endpoint, trusted through SNS_CERT_URL_ALLOW = `${url}/sns/`. It records
 * every request, so a test can prove which URLs Herald fetched.
 */
export async function startSnsHost() {
  const requests: string[] = [];
  let confirmStatus = 200;
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === CERT_PATH) {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(TEST_CERT_PEM);
    } else if (url.pathname === '/sns/redirect.pem') {
      res.writeHead(302, { location: CERT_PATH }).end();
    } else if (url.pathname === '/sns/not-a-cert.pem') {
      res.writeHead(200).end('<html>hello</html>');
    } else if (url.pathname === '/sns/confirm') {
      const arn = `${url.searchParams.get('TopicArn')}:4b5c8e0e-0000-4000-8000-000000000001`;
      res.writeHead(confirmStatus, { 'content-type': 'text/xml' }).end(
        `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${arn}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    allowPrefix: `${url}/sns/`,
    certUrl: `${url}${CERT_PATH}`,
    requests,
    signer: (signatureVersion: '1' | '2' = '2'): SnsSigner => ({ certUrl: `${url}${CERT_PATH}`, keyPem: TEST_KEY_PEM, signatureVersion }),
    answerConfirmWith: (status: number) => {
      confirmStatus = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type SnsHost = Awaited<ReturnType<typeof startSnsHost>>;

export const topicArnOf = (accountId: string, region = 'us-east-1') => `arn:aws:sns:${region}:${accountId}:herald-ses-events`;

export type ExampleName =
  | 'send' | 'delivery' | 'bounce' | 'complaint' | 'reject' | 'open' | 'click' | 'rendering-failure' | 'delivery-delay' | 'subscription'
  | 'identity-bounce' | 'identity-complaint' | 'identity-delivery';

type Json = Record<string, unknown>;

/**
 * An SES event from the AWS documentation, retargeted: its mail.messageId,
 * sendingAccountId and recipients become the given ones; `heraldMessageId`
 * adds Herald's message tag (event publishing only, as SES does).
 */
export function awsExample(
  name: ExampleName,
  target: { sesMessageId: string; accountId: string; recipients: string[]; heraldMessageId?: string; timestamp?: string },
): Json {
  const event = JSON.parse(fixture(`ses-events/${name}.json`)) as Json;
  const mail = event.mail as Json;
  mail.messageId = target.sesMessageId;
  mail.sendingAccountId = target.accountId;
  mail.destination = target.recipients;
  if (target.timestamp) mail.timestamp = target.timestamp;
  if (mail.tags && target.heraldMessageId) (mail.tags as Json).herald_message = [target.heraldMessageId];
  const detail = event[Object.keys(event).find((k) => !['eventType', 'notificationType', 'mail'].includes(k)) ?? ''] as Json | undefined;
  if (detail) {
    for (const [key, field] of [['recipients', null], ['bouncedRecipients', 'emailAddress'], ['complainedRecipients', 'emailAddress'], ['delayedRecipients', 'emailAddress']] as const) {
      if (!Array.isArray(detail[key])) continue;
      const template = (detail[key] as Json[])[0];
      detail[key] = target.recipients.map((r) => (field ? { ...(template as Json), [field]: r } : r));
    }
  }
  return event;
}

/** POSTs an SNS delivery the way SNS does (text/plain, SNS headers). */
export async function postSns(baseUrl: string, envelope: SnsEnvelope | string, headers: Record<string, string> = {}) {
  const body = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  const type = typeof envelope === 'string' ? undefined : envelope.Type;
  const res = await fetch(`${baseUrl}/webhooks/email`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', ...(type ? { 'x-amz-sns-message-type': type } : {}), ...headers },
    body,
  });
  const text = await res.text();
  let json: { ok?: boolean; message?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON (a framework error page)
  }
  return { status: res.status, json };
}
