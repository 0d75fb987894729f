/**
 * Herald's API for bench/send.ts, in the bench process (HTTP, no worker),
 * and a sending tenant set up through it as a user would: sign up, connect
 * SES with simulator keys, sender profile, a list; contacts seeded in SQL.
 */
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { startHerald, type Herald } from '../server/src/boot.js';
import { compileEmail } from '../server/src/rendering/render.js';
import { loadEnv } from '../server/src/env.js';
import { createLogger } from '../server/src/logging/logger.js';
import { sesClient } from '../server/src/ses/clients.js';
import { buildRawEmail } from '../server/src/rendering/mime.js';
import { signUp, trpc } from './lib.js';
import type { SimulatorProcess } from './send-procs.js';

export async function startApi(databaseUrl: string, sesEndpoint: string, encryptionKeys: string): Promise<Herald & { url: string }> {
  const env = loadEnv({ DATABASE_URL: databaseUrl, PORT: '0', SES_ENDPOINT: sesEndpoint, SES_SIMULATOR: 'off', ENCRYPTION_KEYS: encryptionKeys, LOG_LEVEL: 'warn' });
  const herald = await startHerald(env, createLogger(env.logLevel), { http: true, worker: false });
  return { ...herald, url: herald.url! };
}

export type Tenant = { cookie: string; tenantId: string; listId: string; accessKeyId: string; accountId: string; secretAccessKey: string };

let accounts = 0;
/** A simulator account of its own (never throttled by default), connected by a freshly signed-up tenant. */
export async function readyTenant(api: Herald & { url: string }, sim: SimulatorProcess, name: string, simAccount: Record<string, unknown>): Promise<Tenant> {
  accounts += 1;
  const accessKeyId = `BENCHSENDKEY${String(accounts).padStart(4, '0')}`;
  const secretAccessKey = `bench-send-secret-${accounts}`;
  const accountId = String(300000000000 + accounts);
  await sim.putAccount(accessKeyId, simAccountBody(secretAccessKey, accountId, simAccount));
  const cookie = await signUp(api.url, name);
  await trpc(api.url, cookie, 'channels.email.connect', { accessKeyId, secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test' }, 'mutation');
  await trpc(api.url, cookie, 'tenant.updateProfile', { companyName: `${name} Ltd`, postalAddress: 'Harbour Road 7\n20457 Hamburg' }, 'mutation');
  const { id: listId } = await trpc<{ id: string }>(api.url, cookie, 'lists.create', { name: 'Readers' }, 'mutation');
  const [list] = await api.deps.sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from lists where id = ${listId}`;
  return { cookie, tenantId: list!.tenantId, listId, accessKeyId, accountId, secretAccessKey };
}

/** The simulator account's config: the sender verified, no daily quota, `overrides` (maxSendRate, failures) on top. */
export const simAccountBody = (secretAccessKey: string, accountId: string, overrides: Record<string, unknown>) => ({
  secretAccessKey,
  accountId,
  identities: [{ identity: 'news@sender.test', status: 'Success' }],
  max24HourSend: -1,
  ...overrides,
});

/** `count` subscribed contacts on the tenant's list, set-based in SQL (reader-1@inbox.test, first name Reader1, …). */
export async function seedContacts(api: Herald, tenant: Tenant, count: number): Promise<void> {
  await api.deps.sql`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${tenant.tenantId}, 'reader-' || i || '@inbox.test', 'Reader' || i from generate_series(1, ${count}) i
      returning id
    )
    insert into list_members (list_id, contact_id, tenant_id) select ${tenant.listId}, id, ${tenant.tenantId} from made`;
  await api.deps.sql`vacuum analyze contacts, list_members`;
}

const template = {
  subject: 'Hello {{ first_name | default: "there" }}',
  html: '<html><body><h1>Autumn news</h1><p>Hi {{ first_name }}, here is the news.</p><p><a href="https://sender.test/autumn">Read more</a></p></body></html>',
  text: null,
};

/** A campaign draft to the tenant's list, as the editor would save it. */
export async function createCampaign(api: Herald & { url: string }, tenant: Tenant, name: string): Promise<string> {
  const { id } = await trpc<{ id: string }>(
    api.url,
    tenant.cookie,
    'campaigns.create',
    {
      name,
      channel: 'email',
      subject: template.subject,
      fromEmail: 'news@sender.test',
      fromName: 'Sender News',
      html: template.html,
      listId: tenant.listId,
    },
    'mutation',
  );
  return id;
}

export const sendCampaign = (api: Herald & { url: string }, tenant: Tenant, id: string) => trpc(api.url, tenant.cookie, 'campaigns.send', { id }, 'mutation');

/** Message counts by status (from the messages table itself, not the counters). */
export async function statusCounts(api: Herald, campaignId: string): Promise<Record<string, number>> {
  const rows = await api.deps.sql<{ status: string; n: number }[]>`select status, count(*)::int as n from messages where campaign_id = ${campaignId} group by status order by status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/**
 * The simulator stamps acceptedAt after parsing the MIME, and its first parse
 * of a message like the campaign's is ~17 ms slower than the rest: enough to
 * put 15 accepts into one second at 14/s. Real SES has no such cold start, so
 * a few messages rendered and built as the workers do go from this process
 * (not the workers, whose own cold start is part of what is measured) first.
 */
export async function warmSimulator(sim: SimulatorProcess, tenant: Tenant): Promise<void> {
  const ses = sesClient({ endpoint: sim.url, region: 'us-east-1', credentials: { accessKeyId: tenant.accessKeyId, secretAccessKey: tenant.secretAccessKey } });
  try {
    for (let i = 0; i < 20; i++) {
      await ses.send(new SendRawEmailCommand({ RawMessage: { Data: campaignLikeRaw(`Warm${i}`) }, Destinations: ['warm-up@inbox.test'] }));
    }
  } finally {
    ses.destroy();
  }
}

/** One recipient's message of the bench campaign, rendered and built as the workers do. */
export function campaignLikeRaw(firstName: string): Buffer {
  const unsubscribeUrl = `http://localhost:3000/u/${firstName}`;
  const email = compileEmail(template)({ email: 'reader@inbox.test', firstName, lastName: null, attributes: {} }, { companyName: 'Sender Ltd', postalAddress: 'Harbour Road 7\n20457 Hamburg', unsubscribeUrl });
  return buildRawEmail({ from: { name: 'Sender News', address: 'news@sender.test' }, to: 'reader@inbox.test', replyTo: null, ...email, unsubscribeUrl });
}
