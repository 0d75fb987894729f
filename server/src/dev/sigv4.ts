import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { incompleteSignature, missingAuthenticationToken } from './awsErrors.js';

/** What the `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header says. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** The credential scope: `AKID/yyyymmdd/region/service/aws4_request`. */
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): SigV4Authorization {
  if (!header) throw missingAuthenticationToken();
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) {
    throw incompleteSignature(
      'Authorization header requires \'Credential\', \'SignedHeaders\' and \'Signature\' parameters (AWS4-HMAC-SHA256).',
    );
  }
  const [, accessKeyId = '', , region = '', service = '', signedHeaders = '', signature = ''] = match;
  return { accessKeyId, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

export interface SignedRequest {
  method: string;
  /** Path and query, as the request line carries them. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Recomputes the signature the way AWS does: over exactly the headers the client listed in
 * SignedHeaders, at the time of its `x-amz-date`, for the scope's region and service.
 */
export async function signatureMatches(request: SignedRequest, auth: SigV4Authorization, secretAccessKey: string): Promise<boolean> {
  const amzDate = header(request.headers, 'x-amz-date');
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate || !auth.signedHeaders.includes('host')) return false;

  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  // The signer trusts a signed x-amz-content-sha256 as the payload hash; AWS checks it against the body.
  const claimedHash = header(request.headers, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== bodyHash) return false;

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) return false;
    headers[name] = value;
  }
  const url = new URL(request.url, 'http://simulator.invalid');
  const query: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (query[key] ??= []).push(value);

  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers, body: request.body },
    { signingDate, signingRegion: auth.region, signingService: auth.service, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization ?? ''))?.[1];
  return expected !== undefined && timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20240102T030405Z` → Date. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}
