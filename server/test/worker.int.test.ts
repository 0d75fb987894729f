import { afterAll, beforeAll, expect, inject, it, vi } from 'vitest';
import { addJob } from '../src/jobs/addJob.js';
import { startTestHerald, type TestHerald } from '../src/testing/index.js';
import { signedUpAgent } from './agent.js';

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald(inject('adminDatabaseUrl'), { roles: { http: true, worker: true } });
});
afterAll(() => herald.stop());

it('runs a job enqueued inside a transaction once the transaction commits', async () => {
  const { account } = await signedUpAgent(herald.url, 'Jobs');
  await herald.deps.sql`update sessions set expires_at = now() - interval '1 day' where user_id = ${account.user.id}`;
  await herald.deps.sql.begin(async (tx) => {
    await addJob(tx, 'sessions__purge_expired', {});
  });
  await vi.waitFor(
    async () => {
      const rows = await herald.deps.sql`select id from sessions where user_id = ${account.user.id}`;
      expect(rows).toHaveLength(0);
    },
    { timeout: 10_000, interval: 100 },
  );
});

it('a job added in a rolled-back transaction never exists', async () => {
  await herald.deps.sql
    .begin(async (tx) => {
      await addJob(tx, 'sessions__purge_expired', {}, { jobKey: 'rolled-back' });
      throw new Error('roll back');
    })
    .catch(() => undefined);
  const rows = await herald.deps.sql`select 1 from graphile_worker.jobs where key = 'rolled-back'`;
  expect(rows).toHaveLength(0);
});

it('a job with a malformed payload fails with the reason instead of running', async () => {
  await herald.deps.sql`select graphile_worker.add_job('sessions__purge_expired', '[1,2]'::json, job_key := 'bad-payload', max_attempts := 1)`;
  await vi.waitFor(
    async () => {
      const [job] = await herald.deps.sql`select last_error, attempts from graphile_worker.jobs where key = 'bad-payload'`;
      expect(job?.attempts).toBe(1);
      expect(job?.last_error).toContain('Invalid payload for job sessions__purge_expired');
    },
    { timeout: 10_000, interval: 100 },
  );
});
