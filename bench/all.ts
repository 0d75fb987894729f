/**
 * bench/all: every performance goal of the issue "Performance" in one
 * invocation, one bench after the other (never side by side: each measures
 * its own limit on the same machine in the same run). Each bench prints
 * `GOAL <name>: ratio … MET|MISSED`; this prints them together at the end
 * and exits non-zero when one was missed or a bench failed.
 * Run: `npm run bench:all` (about 45 min), or `node --import tsx bench/all.ts [--database-url …] [--only send,webhook,scale-out]`.
 */
import { spawn } from 'node:child_process';
import { benchArgs, repoRoot, say } from './lib.js';

const args = benchArgs({ only: { type: 'string', default: '' } });
const db = ['--database-url', args['database-url']!];
const benches: Record<string, string[]> = {
  // Goals 1 and 2: send pipeline against the SDK alone (0 and 50 ms SES latency), fan-out of a million.
  send: ['bench/send.ts', ...db, '--parts', 'ceiling,fanout', '--configs', '1x10', '--latencies', '0,50', '--sizes', '1000000'],
  // Goal 3: the webhook against /healthz, API and worker as separate processes.
  webhook: ['bench/webhook.ts', ...db, '--layouts', 'separate', '--runs', '3'],
  // Goal 4: CSV import of a million rows against COPY (the built server: npm run build first).
  import: ['bench/import.ts', ...db, '--sizes', '1000000', '--runs', '3'],
  // Goal 5: unknown messages per SIGKILL of a worker at full speed.
  crash: ['bench/crash.ts', ...db],
  // Goal 6: live metrics with 500 subscribers under a webhook flood.
  metrics: ['bench/metrics.ts', ...db, '--parts', 'many'],
  // Issue "Operations": 2 API and 3 worker processes, three tenants at 14, 50 and 200/s at once.
  'scale-out': ['bench/scale-out.ts', ...db],
};
const only = new Set(args.only!.split(',').filter(Boolean));

function run(script: string[]): Promise<{ code: number | null; goals: string[] }> {
  const goals: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    goals.push(...lines.filter((l) => l.startsWith('GOAL ')));
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, goals })));
}

const verdicts: string[] = [];
let failed = false;
for (const [name, script] of Object.entries(benches)) {
  if (only.size > 0 && !only.has(name)) continue;
  say(`\n=== bench ${name}: node --import tsx ${script.join(' ')}`);
  const { code, goals } = await run(script);
  verdicts.push(...goals.map((g) => `${name}: ${g}`));
  if (goals.length === 0) verdicts.push(`${name}: no goal verdict (exit code ${code})`);
  if (code !== 0 || goals.some((g) => g.endsWith('MISSED'))) failed = true;
}
say(`\n=== goals\n${verdicts.join('\n')}`);
process.exitCode = failed ? 1 : 0;
