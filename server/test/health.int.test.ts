import { expect, it } from 'vitest';
import { useHerald } from './useHerald.js';

const h = useHerald();

it('healthz answers while the process is up', async () => {
  const res = await fetch(`${h.herald.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('readyz is ready when migrations are applied, and says why when they are not', async () => {
  expect(await (await fetch(`${h.herald.url}/readyz`)).json()).toEqual({ status: 'ready' });
  const [last] = await h.herald.deps.sql`select id from drizzle.__drizzle_migrations order by id desc limit 1`;
  await h.herald.deps.sql`delete from drizzle.__drizzle_migrations where id = ${last?.id}`;
  const res = await fetch(`${h.herald.url}/readyz`);
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ status: 'not ready', reason: 'database migrations are not applied' });
});

it('unknown API paths are JSON 404s, not the web app', async () => {
  const res = await fetch(`${h.herald.url}/api/nothing-here`);
  expect(res.status).toBe(404);
});
