import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { departureGate } from './departure.js';

export type AwsCredentials = { accessKeyId: string; secretAccessKey: string };

export type AwsClientOptions = {
  region: string;
  credentials: AwsCredentials;
  /** SES_ENDPOINT: the simulator or an emulator instead of AWS. */
  endpoint?: string;
  /** Whole-request limit; default 15 s. */
  requestTimeoutMs?: number;
};

/** Client options for one call: the tenant's region and keys, and SES_ENDPOINT (simulator) when configured. */
export function awsOptions(sesEndpoint: string | undefined, region: string, credentials: AwsCredentials): AwsClientOptions {
  return { region, credentials, ...(sesEndpoint ? { endpoint: sesEndpoint } : {}) };
}

/** Connect and whole-request limits: a hung AWS call must not hold a request or job. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;

function common(opts: AwsClientOptions) {
  return {
    region: opts.region,
    credentials: opts.credentials,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    // Herald owns retries (jobs, rate limiter); the SDK's own would retry throttles blindly.
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      // Keep-alive like the SDK's own agents, checking a send's rate slot at the socket too (departure.ts).
      // No socket limit (the SDK's is 50): Herald's lanes bound how many sends are in flight, and a request
      // queued in the agent for a socket is written only once another call ends, past its slot.
      httpAgent: departureGate(new HttpAgent({ keepAlive: true })),
      httpsAgent: departureGate(new HttpsAgent({ keepAlive: true })),
    },
  };
}

/** A client for keys being checked (not stored yet); the caller destroys it. */
export function sesClient(opts: AwsClientOptions): SESClient {
  return new SESClient(common(opts));
}

/** SNS beside SES: same keys, region and SES_ENDPOINT (the simulator answers both). For rare calls (setup); the caller destroys it. */
export function snsClient(opts: AwsClientOptions): SNSClient {
  return new SNSClient(common(opts));
}

export function stsClient(opts: AwsClientOptions): STSClient {
  return new STSClient(common(opts));
}

/** One SES client per process and stored credentials (see createSesClients). */
export type SesClients = {
  get: (opts: AwsClientOptions) => SESClient;
  /** Destroys every client (shutdown). */
  close: () => void;
};

/** A client nobody asked for in this long is destroyed: its keys were replaced, or its tenant stopped sending. */
const IDLE_MS = 10 * 60_000;

/**
 * Keeps one SES client for each set of credentials, region, endpoint and
 * timeout, so that every job slice and request of a tenant reuses its open
 * TLS connections instead of paying a handshake after its rate slot. The
 * key is a digest, so the map holds no secret; the client itself keeps the
 * decrypted keys while it lives (docs/security.md). New keys give a new
 * client; the old one is destroyed once idle.
 */
export function createSesClients(now: () => number = Date.now): SesClients {
  const clients = new Map<string, { client: SESClient; usedAt: number }>();
  const evictIdle = (at: number) => {
    for (const [key, entry] of clients) {
      if (at - entry.usedAt <= IDLE_MS) continue;
      clients.delete(key);
      entry.client.destroy();
    }
  };
  return {
    get(opts) {
      const at = now();
      evictIdle(at);
      const { region, endpoint, requestTimeoutMs, credentials } = opts;
      const key = createHash('sha256')
        .update(JSON.stringify([region, endpoint ?? '', requestTimeoutMs ?? 0, credentials.accessKeyId, credentials.secretAccessKey]))
        .digest('base64');
      const entry = clients.get(key) ?? { client: sesClient(opts), usedAt: at };
      entry.usedAt = at;
      clients.set(key, entry);
      return entry.client;
    },
    close() {
      for (const entry of clients.values()) entry.client.destroy();
      clients.clear();
    },
  };
}
