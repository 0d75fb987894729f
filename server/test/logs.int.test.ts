import { expect, it } from 'vitest';
import { agent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald({ env: { LOG_LEVEL: 'trace' } });

it('logs of sign-up, sign-in and API-key use contain no password, session token or key', async () => {
  const password = 'Tr0ub4dor&3-unique-secret-password';
  const email = 'logs@example.com';
  const up = agent(h.herald.url);
  await up.trpc.auth.signUp.mutate({ email, password, tenantName: 'Logs Inc' });
  const upToken = up.cookie?.split('=')[1];
  const { key } = await up.trpc.apiKeys.create.mutate({ name: 'logged?' });

  const inAgent = agent(h.herald.url);
  await inAgent.trpc.auth.signIn.mutate({ email, password });
  const inToken = inAgent.cookie?.split('=')[1];
  await inAgent.trpc.auth.signIn.mutate({ email, password: 'wrong-password-attempt' }).catch(() => undefined);
  await agent(h.herald.url, { bearer: key, origin: null }).trpc.apiKeys.list.query();

  const logs = h.herald.logs.join('');
  expect(h.herald.logs.length).toBeGreaterThan(5); // requests really were logged
  expect(upToken && inToken && key).toBeTruthy();
  for (const secret of [password, 'wrong-password-attempt', upToken!, inToken!, key]) {
    expect(logs).not.toContain(secret);
  }
});
