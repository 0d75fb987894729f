import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { certificateSource } from './snsCertificates.js';

const cert = readFileSync(new URL('../../test/fixtures/sns/signing-cert.pem', import.meta.url), 'utf8');
const hits: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (new URL(req.url ?? '/', 'http://local').pathname === '/cert.pem') return void res.end(cert);
    if (req.url === '/redirect.pem') return void res.writeHead(302, { location: '/cert.pem' }).end();
    if (req.url === '/big.pem') return void res.end('x'.repeat(100_000));
    if (req.url === '/not-a-cert.pem') return void res.end('-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n');
    if (req.url === '/slow.pem') return void setTimeout(() => res.end(cert), 2_000);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('fetches a certificate once and serves it from the cache afterwards', async () => {
  const source = certificateSource();
  hits.length = 0;
  const [a, b] = await Promise.all([source.get(`${base}/cert.pem`), source.get(`${base}/cert.pem`)]);
  // The certificate's own public key, parsed once and shared.
  expect(a.export({ type: 'spki', format: 'pem' })).toBe(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'pem' }));
  expect(b).toBe(a);
  await source.get(`${base}/cert.pem`);
  expect(hits).toEqual(['/cert.pem']);
});

it.each([
  ['a redirect, without following it', '/redirect.pem', /HTTP 302/],
  ['a body over the size cap', '/big.pem', /larger than/],
  ['a body that is not a certificate', '/not-a-cert.pem', /./],
  ['a missing certificate', '/missing.pem', /HTTP 404/],
])('refuses %s', async (_what, path, error) => {
  hits.length = 0;
  await expect(certificateSource().get(`${base}${path}`)).rejects.toThrow(error);
  expect(hits).toEqual([path]);
});

it('gives up on a slow answer after the timeout, and does not cache the failure', async () => {
  const source = certificateSource({ timeoutMs: 200 });
  await expect(source.get(`${base}/slow.pem`)).rejects.toThrow(/timeout|aborted/i);
  hits.length = 0;
  await expect(certificateSource({ timeoutMs: 5_000 }).get(`${base}/slow.pem`)).resolves.toMatchObject({ type: 'public' });
});

it('keeps at most maxCached certificates', async () => {
  const source = certificateSource({ maxCached: 1 });
  hits.length = 0;
  await source.get(`${base}/cert.pem`);
  await source.get(`${base}/cert.pem?second`);
  await source.get(`${base}/cert.pem`);
  expect(hits).toEqual(['/cert.pem', '/cert.pem?second', '/cert.pem']);
});
