import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpAgent } from './agent.js';
import { useHerald } from './useHerald.js';

/**
 * `@herald/server/client` as another service gets it: the packed tarball,
 * installed into a project outside the workspace, type-checked by that
 * project's own tsc and run against a real Herald.
 */

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = path.dirname(serverDir);
const tscBin = path.join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc');

type Run = { code: number; stdout: string; stderr: string };

/** Runs a command to completion; never throws for a non-zero exit (the caller asserts on `code`). */
function run(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeout?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, env: { ...childEnv(), ...opts.env }, timeout: opts.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(new Error(`${cmd} ${args.join(' ')}: ${error.message}\n${stderr}`));
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** The environment minus what `npm run`/turbo put there for the workspace (it must not leak into the scratch project's npm). */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^npm_(package|lifecycle)_|^npm_config_(workspaces?|prefix|local_prefix|global|include_workspace_root)$|^INIT_CWD$/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

function expectOk(result: Run, what: string): void {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

async function newestMtime(dir: string, skip: (rel: string) => boolean): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    if (skip(path.relative(dir, full))) continue;
    newest = Math.max(newest, (await stat(full)).mtimeMs);
  }
  return newest;
}

/** Builds the package unless dist is newer than every source it is built from (turbo's `test` already ran `build`). */
async function ensureBuilt(): Promise<void> {
  const outputs = ['client.js', 'client.d.ts', 'routers/index.d.ts', 'index.js'].map((f) => path.join(serverDir, 'dist', f));
  const built = await Promise.all(outputs.map((f) => stat(f).then((s) => s.mtimeMs, () => 0)));
  const sources = Math.max(
    await newestMtime(path.join(serverDir, 'src'), (rel) => rel.endsWith('.test.ts') || rel.startsWith(`testing${path.sep}`)),
    ...(await Promise.all(['package.json', 'tsconfig.build.json', '../tsconfig.json'].map((f) => stat(path.join(serverDir, f)).then((s) => s.mtimeMs)))),
  );
  if (Math.min(...built) > sources) return;
  expectOk(await run('npm', ['run', 'build', '-w', '@herald/server'], { cwd: repoDir, timeout: 180_000 }), 'npm run build -w @herald/server');
}

const TSCONFIG = (moduleResolution: 'bundler' | 'nodenext') => ({
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: moduleResolution === 'bundler' ? 'ESNext' : 'NodeNext',
    moduleResolution,
    // What most services set; the bad file below proves the router's types did not collapse to `any` under it.
    skipLibCheck: true,
    noEmit: true,
    types: [],
  },
});

// The procedure both files call: emails.send, what other services mostly use.
const GOOD_TS = `import { createHeraldClient, isHeraldClientError, type RouterInputs, type RouterOutputs } from '@herald/server/client';

type IsAny<T> = 0 extends 1 & T ? true : false;

const client = createHeraldClient({ url: 'https://herald.example.com', apiKey: 'hk_example' });

export async function welcome(): Promise<string | undefined> {
  try {
    const sent = await client.emails.send.mutate({ from: 'news@example.com', to: 'a@example.com', subject: 'Hi', text: 'Hello' });
    const typed: IsAny<typeof sent> = false;
    void typed;
    const status: string = sent.status;
    const firstRecipient: string | undefined = sent.recipients[0]?.email;
    console.log(status, firstRecipient);
    return sent.id;
  } catch (err) {
    if (isHeraldClientError(err)) {
      const code: string | undefined = err.data?.code;
      const fields: Record<string, string> | null | undefined = err.data?.fieldErrors;
      console.log(code, fields);
    }
    return undefined;
  }
}

export const input: RouterInputs['emails']['send'] = { from: 'News <news@example.com>', to: ['a@example.com', 'b@example.com'], templateId: 'tpl', variables: { first_name: 'Ada' } };
export type Keys = RouterOutputs['apiKeys']['list'];
const inputTyped: IsAny<RouterInputs['emails']['send']> = false;
void inputTyped;
`;

const BAD_TS = `import { createHeraldClient } from '@herald/server/client';

const client = createHeraldClient({ url: 'https://herald.example.com', apiKey: 'hk_example' });

export async function welcome(): Promise<void> {
  await client.emails.send.mutate({ from: 'news@example.com', to: 42, subject: 'Hi', text: 'Hello' });
}
`;

const RUN_MJS = `import { createHeraldClient, isHeraldClientError } from '@herald/server/client';

const client = createHeraldClient({ url: process.env.HERALD_URL, apiKey: process.env.HERALD_API_KEY });
const [keys, contacts, emails] = await Promise.all([client.apiKeys.list.query(), client.contacts.list.query({}), client.emails.list.query({})]);
let refusal = null;
try {
  await client.contacts.create.mutate({ email: 'not an address' });
} catch (err) {
  refusal = isHeraldClientError(err) ? { code: err.data?.code, fieldErrors: err.data?.fieldErrors } : String(err);
}
const stranger = createHeraldClient({ url: process.env.HERALD_URL + '/', apiKey: 'hk_not_a_key' });
const unauthorized = await stranger.apiKeys.list.query().then(() => null, (err) => err.data?.code);
console.log(JSON.stringify({ keys, contacts, emails, refusal, unauthorized }));
`;

/** Its `import … from` / `import(…)` specifiers (the emitted module is small and tsc-formatted). */
function importSpecifiers(js: string): string[] {
  const found = new Set<string>();
  for (const m of js.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm)) found.add(m[1] as string);
  for (const m of js.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.add(m[1] as string);
  for (const m of js.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g)) found.add(m[1] as string);
  return [...found].sort();
}

/**
 * The consumer's tsc runs (seconds each: the router's types are large): good.ts and bad.ts together
 * under bundler resolution, good.ts alone under nodenext.
 */
let typechecks: Promise<{ bundler: Run; nodenext: Run }> | undefined;
function typecheck() {
  const tsc = (config: string) => run(process.execPath, [tscBin, '-p', config], { cwd: project });
  typechecks ??= Promise.all([tsc('tsconfig.bundler.json'), tsc('tsconfig.nodenext.json')]).then(([bundler, nodenext]) => ({ bundler, nodenext }));
  return typechecks;
}
const errorLines = (result: Run) => (result.stdout + result.stderr).split('\n').filter((l) => / error TS\d+/.test(l));

const h = useHerald();
let work: string;
let project: string;
let tarballFiles: string[];

beforeAll(async () => {
  const started = Date.now();
  await ensureBuilt();
  const built = Date.now();
  work = await mkdtemp(path.join(tmpdir(), 'herald-client-package-'));
  const packed = await run('npm', ['pack', '-w', '@herald/server', '--pack-destination', work, '--json', '--ignore-scripts'], { cwd: repoDir });
  expectOk(packed, 'npm pack');
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no package: ${packed.stdout}`);
  tarballFiles = info.files.map((f) => f.path);

  project = path.join(work, 'consumer');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const installed = await run(
    'npm',
    ['install', path.join(work, info.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    { cwd: project, timeout: 150_000 },
  );
  expectOk(installed, 'npm install of the packed tarball');
  await writeFile(path.join(project, 'tsconfig.bundler.json'), JSON.stringify({ ...TSCONFIG('bundler'), files: ['good.ts', 'bad.ts'] }, null, 2));
  await writeFile(path.join(project, 'tsconfig.nodenext.json'), JSON.stringify({ ...TSCONFIG('nodenext'), files: ['good.ts'] }, null, 2));
  await writeFile(path.join(project, 'good.ts'), GOOD_TS);
  await writeFile(path.join(project, 'bad.ts'), BAD_TS);
  await writeFile(path.join(project, 'run.mjs'), RUN_MJS);
  console.info(`client package: build ${Math.round((built - started) / 1000)} s, pack + install ${Math.round((Date.now() - built) / 1000)} s`);
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('@herald/server/client', () => {
  it('at run time imports nothing of the server, only @trpc/client', async () => {
    const js = await readFile(path.join(serverDir, 'dist', 'client.js'), 'utf8');
    expect(importSpecifiers(js)).toEqual(['@trpc/client']);
  });

  it('is packed with its JavaScript and declarations, and its dependencies install with it', async () => {
    expect(tarballFiles).toEqual(expect.arrayContaining(['package.json', 'dist/client.js', 'dist/client.d.ts', 'dist/routers/index.d.ts', 'dist/index.d.ts']));
    expect(tarballFiles.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    const pkg = JSON.parse(await readFile(path.join(project, 'node_modules', '@herald', 'server', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of ['@trpc/client', '@trpc/server', 'zod', 'drizzle-orm']) {
      expect(pkg.dependencies).toHaveProperty(dep);
      await expect(stat(path.join(project, 'node_modules', dep, 'package.json'))).resolves.toBeTruthy();
    }
  });

  it("type-checks a correct call in the consumer's strict project (bundler and nodenext resolution)", async () => {
    const { bundler, nodenext } = await typecheck();
    expect({ code: nodenext.code, output: nodenext.stdout + nodenext.stderr }).toEqual({ code: 0, output: '' });
    expect(errorLines(bundler).filter((l) => !l.startsWith('bad.ts('))).toEqual([]);
  }, 90_000);

  it('refuses a wrong field type at compile time, naming the field', async () => {
    const { bundler } = await typecheck();
    expect(bundler.code).not.toBe(0);
    const errors = errorLines(bundler);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bad\.ts\(6,\d+\): error TS2322: Type 'number' is not assignable to type 'string \| string\[\]'/);
    // tsc points at the property, so the error names the field.
    const column = Number(/^bad\.ts\(6,(\d+)\)/.exec(errors[0] ?? '')?.[1]);
    expect(BAD_TS.split('\n')[5]?.slice(column - 1)).toMatch(/^to: 42/);
  }, 90_000);

  it('calls a running Herald with an API key, and its refusals carry code and fieldErrors', async () => {
    const { agent: owner } = await signedUpAgent(h.herald.url, 'Client');
    const created = await owner.trpc.apiKeys.create.mutate({ name: 'Other service' });
    const result = await run(process.execPath, ['run.mjs'], { cwd: project, env: { HERALD_URL: h.herald.url, HERALD_API_KEY: created.key }, timeout: 30_000 });
    expectOk(result, 'node run.mjs');
    const seen = JSON.parse(result.stdout) as { keys: { id: string; name: string }[]; contacts: unknown; emails: unknown; refusal: unknown; unauthorized: unknown };
    expect(seen.keys.map((k) => ({ id: k.id, name: k.name }))).toEqual([{ id: created.id, name: 'Other service' }]);
    expect(seen.contacts).toBeTruthy();
    expect(seen.emails).toBeTruthy();
    expect(seen.refusal).toEqual({ code: 'BAD_REQUEST', fieldErrors: { email: expect.any(String) } });
    expect(seen.unauthorized).toBe('UNAUTHORIZED');
  });
});
