import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/testing/index.js';
import { agent } from './agent.js';
import { spawnHerald, waitForExit, waitForOutput } from './process.js';

describe('configuration checks at boot', () => {
  it('production without DATABASE_URL exits at once naming the variable', async () => {
    const child = spawnHerald('main', { NODE_ENV: 'production', ENCRYPTION_KEYS: 'k1:AAAA' });
    expect(await waitForExit(child)).toBe(1);
    expect(child.output()).toContain('DATABASE_URL is required when NODE_ENV=production');
  });

  it('production without ENCRYPTION_KEYS exits at once naming the variable', async () => {
    const child = spawnHerald('main', { NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(await waitForExit(child)).toBe(1);
    expect(child.output()).toContain('ENCRYPTION_KEYS is required when NODE_ENV=production');
  });

  it('an encryption key that is not 32 bytes stops the boot', async () => {
    const child = spawnHerald('main', { NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ENCRYPTION_KEYS: `k1:${Buffer.alloc(16).toString('base64')}` });
    expect(await waitForExit(child)).toBe(1);
    expect(child.output()).toContain('key "k1" is 16 bytes; AES-256 needs exactly 32');
  });

  it('an invalid value is named with what is wrong', async () => {
    const child = spawnHerald('main', { PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(await waitForExit(child)).toBe(1);
    expect(child.output()).toContain('PORT');
    expect(child.output()).toContain('DATABASE_URL must be a postgres:// URL');
  });
});

describe('with nothing configured (embedded Postgres)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'herald-boot-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts, stops within 5 s on Ctrl-C, and keeps the data for the next start', async () => {
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      WEB_DIST: path.join(dataDir, 'no-web'),
    };
    const url = `http://127.0.0.1:${env.PORT}`;
    const first = spawnHerald('main', env);
    await waitForOutput(first, /Herald is running/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const account = await agent(url).trpc.auth.signUp.mutate({ email: 'persist@example.com', password: 'persistent password', tenantName: 'Persist' });

    const stopAsked = Date.now();
    first.kill('SIGINT');
    expect(await waitForExit(first)).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(5_000);
    expect(first.output()).toContain('embedded PostgreSQL stopped');
    expect(first.output()).toContain('generated a development encryption key');

    const second = spawnHerald('main', env);
    await waitForOutput(second, /Herald is running/);
    const again = await agent(url).trpc.auth.signIn.mutate({ email: 'persist@example.com', password: 'persistent password' });
    expect(again).toEqual(account);
    second.kill('SIGTERM');
    expect(await waitForExit(second)).toBe(0);
  });
});
