import { randomBytes } from 'node:crypto';
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

/** One line of the report, on stdout. */
export const say = (line: string) => process.stdout.write(`${line}\n`);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The machine's 1-, 5- and 15-minute load averages. */
export const loadAverages = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** Node flags for a child process that writes a V8 CPU profile into `dir` as it exits (none without a dir). */
export const profileArgs = (dir: string) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : []);

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The median of a figure over the runs, then each run's value. */
export const fmt = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} median [${xs.map((x) => x.toFixed(digits)).join(', ')}]`;

/**
 * A performance goal is a ratio to a limit the same script measured in the same run (absolute figures
 * drift on shared machines). Prints the verdict; a miss makes the script exit non-zero once it is done.
 */
export function checkGoal(name: string, ratio: number, goal: { atMost: number } | { atLeast: number }): boolean {
  const met = 'atMost' in goal ? ratio <= goal.atMost : ratio >= goal.atLeast;
  const wanted = 'atMost' in goal ? `≤ ${goal.atMost}` : `≥ ${goal.atLeast}`;
  say(`GOAL ${name}: ratio ${ratio.toFixed(2)} (goal ${wanted}) ${met ? 'MET' : 'MISSED'}`);
  if (!met) process.exitCode = 1;
  return met;
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
