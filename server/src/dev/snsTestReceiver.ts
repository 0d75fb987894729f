import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTrustedCertUrl, isTrustedSubscribeUrl } from '../webhooks/snsCertUrl.js';
import { hasValidSnsSignature } from '../webhooks/snsSignature.js';
import type { SnsEnvelope } from './snsMessages.js';

/** One POST the receiver got, with what it made of it. */
export interface ReceivedPost {
  headers: IncomingHttpHeaders;
  envelope: SnsEnvelope & { Token?: string; SubscribeURL?: string };
  /** The signature checked out against the certificate at SigningCertURL (fetched from a trusted URL). */
  signatureValid: boolean;
  /** The parsed SES event, for notifications. */
  event: Record<string, unknown> | null;
  /** The status it answered. */
  status: number;
}

export interface SnsTestReceiver {
  url: string;
  posts: ReceivedPost[];
  /** Answers of the SubscribeURLs it visited. */
  confirmations: { status: number; subscriptionArn: string | null }[];
  /** The SES events of valid notifications, in arrival order. */
  events(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface SnsTestReceiverOptions {
  /** Prefixes trusted for SigningCertURL and SubscribeURL, as SNS_CERT_URL_ALLOW (the simulator's URL). */
  allow: () => string[];
  /** Visit the SubscribeURL of a confirmation before answering (default true), as Herald does. */
  confirm?: boolean;
  /** The status to answer (default 200); may delay or never settle to simulate a slow endpoint. */
  answer?: (envelope: SnsEnvelope, attempt: number) => number | Promise<number>;
}

/**
 * A minimal SNS HTTP endpoint for tests, independent of Herald's webhook: it checks each post's
 * signature the way AWS documents it, confirms subscriptions by visiting the SubscribeURL, and
 * records everything. `attempt` counts posts of the same SNS MessageId (retries, duplicates).
 */
export async function startSnsTestReceiver(options: SnsTestReceiverOptions): Promise<SnsTestReceiver> {
  const posts: ReceivedPost[] = [];
  const confirmations: SnsTestReceiver['confirmations'] = [];
  const certificates = new Map<string, string>();
  const seen = new Map<string, number>();

  const certificate = async (url: string, topicArn: string): Promise<string | null> => {
    if (!isTrustedCertUrl(url, topicArn, options.allow())) return null;
    const cached = certificates.get(url);
    if (cached) return cached;
    const res = await fetch(url);
    if (res.status !== 200 || res.headers.get('content-type') !== 'application/x-pem-file') return null;
    const pem = await res.text();
    certificates.set(url, pem);
    return pem;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedPost['envelope'];
        const pem = await certificate(envelope.SigningCertURL, envelope.TopicArn);
        const signatureValid = pem !== null && hasValidSnsSignature(envelope, pem);
        const attempt = (seen.get(envelope.MessageId) ?? 0) + 1;
        seen.set(envelope.MessageId, attempt);
        const post: ReceivedPost = { headers: req.headers, envelope, signatureValid, event: null, status: 0 };
        posts.push(post);
        if (envelope.Type === 'Notification') post.event = JSON.parse(envelope.Message) as Record<string, unknown>;
        if (envelope.Type === 'SubscriptionConfirmation' && signatureValid && (options.confirm ?? true)) {
          const subscribeUrl = envelope.SubscribeURL ?? '';
          if (isTrustedSubscribeUrl(subscribeUrl, envelope.TopicArn, options.allow())) {
            const answer = await fetch(subscribeUrl);
            const xml = await answer.text();
            confirmations.push({ status: answer.status, subscriptionArn: /<SubscriptionArn>([^<]*)</.exec(xml)?.[1] ?? null });
          }
        }
        post.status = options.answer ? await options.answer(envelope, attempt) : 200;
        res.writeHead(post.status).end();
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/webhooks/email`,
    posts,
    confirmations,
    events: () => posts.filter((p) => p.signatureValid && p.event).map((p) => p.event as Record<string, unknown>),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
