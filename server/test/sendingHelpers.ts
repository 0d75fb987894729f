import { simAccountSchema } from '../src/dev/accounts.js';
import type { SesSimulator, SimAccountInput } from '../src/dev/sesSimulator.js';
import type { Sql } from 'postgres';
import type { TestHerald } from '../src/testing/index.js';
import { signedUpAgent, type Agent } from './agent.js';

let keys = 0;
/** A fresh simulator account per tenant, so quotas and injected failures never leak between tests. */
export function simAccount(overrides: Partial<SimAccountInput> = {}): SimAccountInput & { accessKeyId: string; secretAccessKey: string } {
  keys += 1;
  return {
    accessKeyId: `AKIASENDTEST${String(keys).padStart(4, '0')}${String(Date.now() % 10_000).padStart(4, '0')}`,
    secretAccessKey: `send-test-secret-${keys}`,
    accountId: String(200000000000 + keys * 1000 + (Date.now() % 1000)),
    identities: [{ identity: 'news@sender.test', status: 'Success' }],
    maxSendRate: 1000,
    max24HourSend: -1,
    ...overrides,
  };
}

export type Sender = { agent: Agent; tenantId: string; accessKeyId: string; accountId: string; listId: string };

/** A tenant with SES connected (its own simulator account), a sender profile and an empty list. */
export async function readySender(herald: TestHerald, sim: SesSimulator, account = simAccount(), name = 'Sender'): Promise<Sender> {
  sim.state.putAccount(simAccountSchema.parse(account));
  const { agent, account: me } = await signedUpAgent(herald.url, name);
  await agent.trpc.channels.email.connect.mutate({ accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test' });
  await agent.trpc.tenant.updateProfile.mutate({ companyName: `${name} Ltd`, postalAddress: 'Harbour Road 7\n20457 Hamburg' });
  const { id: listId } = await agent.trpc.lists.create.mutate({ name: 'Readers' });
  return { agent, tenantId: me.tenant.id, accessKeyId: account.accessKeyId, accountId: account.accountId as string, listId };
}

/**
 * Adds `count` subscribed contacts to the list straight in SQL (set-based,
 * fast for thousands): reader-00001@… with first names Reader1….
 */
export async function seedContacts(sql: Sql, sender: Sender, count: number, prefix = 'reader'): Promise<void> {
  await sql`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${sender.tenantId}, ${prefix} || '-' || lpad(i::text, 5, '0') || '@inbox.test', 'Reader' || i
      from generate_series(1, ${count}) i
      returning id
    )
    insert into list_members (list_id, contact_id, tenant_id) select ${sender.listId}, id, ${sender.tenantId} from made`;
}

export const campaignInput = (listId: string) => ({
  name: 'Autumn news',
  channel: 'email' as const,
  subject: 'Hello {{ first_name | default: "there" }}',
  fromEmail: 'news@sender.test',
  fromName: 'Sender News',
  html: '<html><body><p>Hi {{ first_name }}, here is the news.</p></body></html>',
  listId,
});
