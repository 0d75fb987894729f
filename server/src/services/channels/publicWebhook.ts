import { isIP } from 'node:net';

/** IPv4 ranges the internet cannot reach: loopback, private, link-local, CGNAT, "this network". */
const PRIVATE_V4: [number, number][] = [
  [0x7f000000, 8], // 127/8
  [0x0a000000, 8], // 10/8
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0xa9fe0000, 16], // 169.254/16
  [0x64400000, 10], // 100.64/10
  [0x00000000, 8], // 0/8
];

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function isPrivateV4(address: string): boolean {
  const n = v4Number(address);
  return PRIVATE_V4.some(([base, bits]) => n >>> (32 - bits) === base >>> (32 - bits));
}

function isPrivateV6(address: string): boolean {
  const a = address.toLowerCase();
  if (a === '::1' || a === '::') return true;
  // An IPv4-mapped address; URL writes its last 32 bits as two hex groups (::ffff:c0a8:1).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (mapped?.[1] && mapped[2]) {
    const n = parseInt(mapped[1], 16) * 65536 + parseInt(mapped[2], 16);
    return isPrivateV4([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  }
  return /^f[cd]/.test(a) || /^fe[89ab]/.test(a); // fc00::/7 unique local, fe80::/10 link-local
}

/**
 * Why Amazon SNS, on the internet, could never deliver to this webhook URL,
 * or null when it may. Judged from the URL alone (no DNS lookup): loopback,
 * private and link-local addresses, `localhost`, single-label hosts and the
 * reserved local suffixes. A public name pointing at a private address is
 * not caught here; SNS then never confirms, which the health panel shows.
 */
export function unreachableWebhookReason(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(host);
  const why = (what: string) =>
    `Amazon SNS delivers events over the internet, and ${url.origin} is ${what}, so SNS could never reach ${url.href} and the subscription could never be confirmed. ` +
    'Set PUBLIC_URL to an address the internet can reach (a public HTTPS name, a reverse proxy or a tunnel), restart Herald, and set up event tracking again.';
  if (family === 4 && isPrivateV4(host)) return why('a private or loopback address');
  if (family === 6 && isPrivateV6(host)) return why('a private or loopback address');
  if (family !== 0) return null;
  if (host === 'localhost' || host.endsWith('.localhost')) return why('this machine only (localhost)');
  if (!host.includes('.')) return why('a name only the local network knows');
  if (/\.(local|internal|lan|home|intranet|corp|test|example|invalid)$/.test(host)) return why('a name reserved for local or test networks');
  return null;
}
