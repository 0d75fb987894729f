import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function benchArgs(extra: Record<string, { type: 'string'; default: string }> = {}) {
  const { values } = parseArgs({
    options: { 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' }, ...extra },
  });
  return values as Record<string, string>;
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** A built Herald server (server/dist) as its own process, so its memory can be read from /proc. */
export async function startServerProcess(databaseUrl: string, port: number): Promise<{ url: string; child: ChildProcess; peakRssMb: () => number; rssMb: () => number; logs: string[]; stop: () => Promise<void> }> {
  const logs: string[] = [];
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      SES_SIMULATOR: 'off',
      LOG_LEVEL: 'info',
      ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      WEB_DIST: '/nonexistent',
    },
  });
  child.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    logs,
    // VmHWM: the peak resident set size of the process so far.
    peakRssMb: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    rssMb: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Signs up a fresh tenant; returns its cookie. */
export async function signUp(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/trpc/auth.signUp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email: `${name}-${randomBytes(4).toString('hex')}@bench.test`, password: 'benchmark password', tenantName: name }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!res.ok || !cookie) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  return cookie;
}

export async function trpc<T>(url: string, cookie: string, path: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
  const res =
    kind === 'query'
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { cookie } })
      : await fetch(`${url}/trpc/${path}`, { method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
  return body.result.data;
}
