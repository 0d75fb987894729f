import { X509Certificate, type KeyObject } from 'node:crypto';

/** A real SNS signing certificate is ~1.7 KB; anything far larger is not one. */
const MAX_CERT_BYTES = 16 * 1024;
const FETCH_TIMEOUT_MS = 5_000;
/** SNS uses a handful of certificates; a bounded cache keeps a flood of distinct URLs from growing memory. */
const MAX_CACHED = 32;

export type CertificateSource = {
  /**
   * The public key of the certificate at a URL already checked by isTrustedCertUrl; throws when it
   * cannot be had. A parsed key, not the PEM: parsing the certificate on every message cost more than
   * the signature check itself.
   */
  get: (url: string) => Promise<KeyObject>;
};

export type CertificateSourceOptions = { fetch?: typeof fetch; timeoutMs?: number; maxBytes?: number; maxCached?: number };

/**
 * Fetches signing certificates with a timeout, no redirects (a trusted URL
 * must not bounce us elsewhere) and a size cap, checks that the body is an
 * X.509 certificate, and caches it by URL (SNS rotates certificates under
 * new URLs). Concurrent requests for one URL share one fetch.
 */
export function certificateSource(options: CertificateSourceOptions = {}): CertificateSource {
  // Looked up per call, not captured: tests and the process may swap the global fetch.
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? MAX_CERT_BYTES;
  const maxCached = options.maxCached ?? MAX_CACHED;
  const cache = new Map<string, Promise<KeyObject>>();

  const load = async (url: string): Promise<KeyObject> => {
    const res = await doFetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) throw new Error(`signing certificate answered HTTP ${res.status}`);
    const pem = await readCapped(res, maxBytes);
    return new X509Certificate(pem).publicKey; // throws unless it is a certificate
  };

  return {
    get: (url) => {
      const cached = cache.get(url);
      if (cached) return cached;
      const pending = load(url);
      // Failures are not cached: the next message may find the certificate reachable again.
      pending.catch(() => cache.delete(url));
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
      cache.set(url, pending);
      return pending;
    },
  };
}

/** Reads a response body, giving up as soon as it passes `maxBytes`. */
export async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) throw new Error('the answer has no body');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`the answer is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
