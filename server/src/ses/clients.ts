import { SESClient } from '@aws-sdk/client-ses';
import { STSClient } from '@aws-sdk/client-sts';

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
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

/**
 * Clients are made per call with credentials decrypted just for it, so the
 * plaintext key lives only as long as the request.
 */
export function sesClient(opts: AwsClientOptions): SESClient {
  return new SESClient(common(opts));
}

export function stsClient(opts: AwsClientOptions): STSClient {
  return new STSClient(common(opts));
}
