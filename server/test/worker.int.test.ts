import { expect, it, vi } from 'vitest';
import { addJob } from '../src/queue/addJob.js';
import { signedUpAgent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald({ roles: { http: true, worker: true } });

it('runs a job enqueued inside a transaction once the transaction commits', async () => {
  const { account } = await signedUpAgent(h.herald.url, 'Jobs');
  await h.herald.deps.sql`update sessions set expires_at = now() - interval '1 day' where user_id = ${account.user.id}`;
  await h.herald.deps.sql.begin(async (tx) => {
    await addJob(tx, 'sessions__purge_expired', {});
  });
  await vi.waitFor(
    async () => {
      const rows = await h.herald.deps.sql`select id from sessions where user_id = ${account.user.id}`;
      expect(rows).toHaveLength(0);
    },
    { timeout: 10_000, interval: 100 },
  );
});

it('a job added in a rolled-back transaction never exists', async () => {
  await h.herald.deps.sql
    .begin(async (tx) => {
      await addJob(tx, 'sessions__purge_expired', {}, { jobKey: 'rolled-back' });
      throw new Error('roll back');
    })
    .catch(() => undefined);
  const rows = await h.herald.deps.sql`select 1 from graphile_worker.jobs where key = 'rolled-back'`;
  expect(rows).toHaveLength(0);
});

it('a job with a malformed payload fails with the reason instead of running', async () => {
  await h.herald.deps.sql`select graphile_worker.add_job('sessions__purge_expired', '[1,2]'::json, job_key := 'bad-payload', max_attempts := 1)`;
  await vi.waitFor(
    async () => {
      const [job] = await h.herald.deps.sql`select last_error, attempts from graphile_worker.jobs where key = 'bad-payload'`;
      expect(job?.attempts).toBe(1);
      expect(job?.last_error).toContain('Invalid payload for job sessions__purge_expired');
    },
    { timeout: 10_000, interval: 100 },
  );
});

it('the retention job purges uploads never started after a day (RETENTION_IMPORT_FILES_DAYS), and keeps the rest', async () => {
  const { agent: a, account } = await signedUpAgent(h.herald.url, 'Stale');
  const res = await fetch(`${h.herald.url}/api/contacts/imports?fileName=old.csv`, { method: 'POST', headers: { cookie: a.cookie ?? '', origin: h.herald.url, 'content-type': 'text/csv' }, body: 'email\nx@example.com\n' });
  const { id: oldId } = (await res.json()) as { id: string };
  const fresh = await fetch(`${h.herald.url}/api/contacts/imports?fileName=new.csv`, { method: 'POST', headers: { cookie: a.cookie ?? '', origin: h.herald.url, 'content-type': 'text/csv' }, body: 'email\ny@example.com\n' });
  const { id: freshId } = (await fresh.json()) as { id: string };
  await h.herald.deps.sql`update contact_imports set created_at = now() - interval '2 days' where id = ${oldId}`;
  await addJob(h.herald.deps.sql, 'retention__purge', {});
  await vi.waitFor(
    async () => {
      const rows = await h.herald.deps.sql`select id from contact_imports where tenant_id = ${account.tenant.id}`;
      expect(rows.map((r) => r.id)).toEqual([freshId]);
    },
    { timeout: 10_000, interval: 100 },
  );
  const [chunks] = await h.herald.deps.sql`select count(*)::int as n from import_chunks where import_id = ${oldId}`;
  expect(chunks?.n).toBe(0);
});
