/**
 * Pieces bench/webhook.ts and bench/metrics.ts share: a scratch database, a
 * local stand-in for the SNS certificate host, client processes driven over
 * IPC, Herald's processes started from server/src as deployed, a tenant
 * connected to a SES-simulator account, and the SES `mail` of its messages.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import type { Sql } from 'postgres';
import { startEmbeddedPostgres } from '../server/src/db/embedded.js';
import { createLogger } from '../server/src/logging/logger.js';
import { createTestDatabase } from '../server/src/testing/database.js';
import { repoRoot, signUp, trpc } from './lib.js';
import type { SimulatorProcess } from './send-procs.js';
import { simAccountBody } from './send-tenant.js';

/** A file of server/test/fixtures/. */
export const fixture = (p: string) => readFileSync(path.join(repoRoot, 'server/test/fixtures', p), 'utf8');
/** The test key SNS notifications are signed with (server/test/fixtures/sns/). */
export const SNS_KEY_PEM = fixture('sns/signing-key.pem');
const CERT_PEM = fixture('sns/signing-cert.pem');
const CERT_PATH = '/sns/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

/** Serves the test signing certificate, as sns.<region>.amazonaws.com would (allow it with SNS_CERT_URL_ALLOW). */
export async function startCertHost() {
  let fetched = 0;
  const server = createServer((req, res) => {
    if (req.url === CERT_PATH) {
      fetched += 1;
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(CERT_PEM);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    allowPrefix: `${url}/sns/`,
    certUrl: `${url}${CERT_PATH}`,
    fetched: () => fetched,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type Client<Job extends { kind: string }> = { pid: number; call: <R>(job: Job) => Promise<R>; stop: () => Promise<void> };

/** A client process (`script`, run with tsx) that answers each job sent over IPC with one message, or `{ kind: 'error' }`. */
export function startClient<Job extends { kind: string }>(script: string): Client<Job> {
  const child = fork(path.join(repoRoot, script), [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    pid: child.pid!,
    call: <R>(job: Job) =>
      new Promise<R>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`client process exited (${code}) during ${job.kind}`));
        child.once('exit', onExit);
        child.once('message', (m: { kind: string; message?: string }) => {
          child.off('exit', onExit);
          if (m.kind === 'error') reject(new Error(m.message));
          else resolve(m as R);
        });
        child.send(job);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ kind: 'exit' });
      await exited;
    },
  };
}

export type Proc = { child: ChildProcess; pid: number; log: string; stop: () => Promise<void> };

/** One of Herald's processes from server/src with tsx, its output appended to `log`. */
export function startNode(script: string, env: Record<string, string>, opts: { log: string; nodeArgs: string[] }): Proc {
  const fd = openSync(opts.log, 'a');
  const child = spawn(process.execPath, [...opts.nodeArgs, '--import', 'tsx', path.join(repoRoot, script)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return {
    child,
    pid: child.pid!,
    log: opts.log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const tail = (file: string, lines = 20) => readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');

export type Tenant = { cookie: string; tenantId: string; listId: string; accountId: string };

/**
 * Signs up a tenant and connects it, over HTTP, to a simulator account made
 * up for the bench (`accessKeyId` is no AWS key), so its aws_account_id is set
 * and events on that account's topics reach it.
 */
export async function readyTenant(
  url: string,
  sql: Sql,
  sim: SimulatorProcess,
  account: { name: string; accessKeyId: string; secretAccessKey: string; accountId: string },
): Promise<Tenant> {
  const { name, accessKeyId, secretAccessKey, accountId } = account;
  await sim.putAccount(accessKeyId, simAccountBody(secretAccessKey, accountId, { maxSendRate: 1000 }));
  const cookie = await signUp(url, name);
  await trpc(url, cookie, 'channels.email.connect', { accessKeyId, secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test' }, 'mutation');
  await trpc(url, cookie, 'tenant.updateProfile', { companyName: `${name} Ltd`, postalAddress: 'Harbour Road 7\n20457 Hamburg' }, 'mutation');
  const { id: listId } = await trpc<{ id: string }>(url, cookie, 'lists.create', { name: 'Readers' }, 'mutation');
  const [row] = await sql<{ tenantId: string; accountId: string | null; connected: boolean }[]>`
    select l.tenant_id as "tenantId", t.aws_account_id as "accountId", t.is_connected as connected
    from lists l join tenant_channel_settings t on t.tenant_id = l.tenant_id where l.id = ${listId}`;
  if (!row?.connected || row.accountId !== accountId) throw new Error(`the tenant is not connected as account ${accountId}: ${JSON.stringify(row)}`);
  return { cookie, tenantId: row.tenantId, listId, accountId };
}

/** The `mail` object of an SES event for a message Herald sent through a configuration set, with Herald's tags. */
export function heraldMail(opts: { accountId: string; tenantId: string; campaignId: string; messageId: string; sesId: string; to: string; sentAt: string }) {
  return {
    timestamp: opts.sentAt,
    source: 'Sender News <news@sender.test>',
    sourceArn: `arn:aws:ses:us-east-1:${opts.accountId}:identity/news@sender.test`,
    sendingAccountId: opts.accountId,
    messageId: opts.sesId,
    destination: [opts.to],
    commonHeaders: { from: ['Sender News <news@sender.test>'], to: [opts.to], messageId: opts.sesId, subject: 'Autumn news' },
    tags: {
      'ses:operation': ['SendRawEmail'],
      'ses:configuration-set': ['herald-events'],
      'ses:source-ip': ['192.0.2.10'],
      'ses:from-domain': ['sender.test'],
      'ses:caller-identity': ['herald'],
      herald_tenant: [opts.tenantId],
      herald_campaign: [opts.campaignId],
      herald_message: [opts.messageId],
    },
  };
}

export type ScratchDatabase = { url: string; embedded: boolean; close: () => Promise<void> };

/**
 * A scratch database (`createTestDatabase`) on `adminUrl`, else DATABASE_URL,
 * else an embedded Postgres under `dataDir`; `close` drops it and stops the
 * embedded server.
 */
export async function scratchDatabase(adminUrl: string, dataDir: string): Promise<ScratchDatabase> {
  let url = adminUrl || process.env.DATABASE_URL || '';
  const embedded = url ? null : await startEmbeddedPostgres({ dataDir, port: await freePort(), logger: createLogger('warn') });
  url ||= embedded!.url;
  try {
    const database = await createTestDatabase(url);
    return {
      url: database.url,
      embedded: embedded !== null,
      close: async () => {
        await database.drop();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
