import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Environment for a child Herald: only what the test gives, plus PATH/HOME. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

/** Runs `src/<entry>.ts` as its own Node process, as `npm start` (or `npm run worker`, `npm run ses-sim`) would run the build. */
export function spawnHerald(
  entry: 'main' | 'worker' | 'cli/ses-sim',
  env: Record<string, string>,
  args: string[] = [],
): ChildProcessWithoutNullStreams & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', `${entry}.ts`), ...args], { cwd: serverDir, env: childEnv(env) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

export function waitForOutput(child: ReturnType<typeof spawnHerald>, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${child.output()}`)), timeoutMs);
    const check = () => {
      if (pattern.test(child.output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (pattern.test(child.output())) resolve();
      else reject(new Error(`exited with ${code} before ${pattern}; output:\n${child.output()}`));
    });
    check();
  });
}

export function waitForExit(child: ReturnType<typeof spawnHerald>): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
