import type { Sql } from 'postgres';
import { signedUpAgent, type Agent } from '../agent.js';
import type { SimulatorControl } from './cluster.js';

export type ScaleTenant = {
  name: string;
  /** The SES account's MaxSendRate at the simulator, which Herald reads when the channel connects. */
  rate: number;
  recipients: number;
  agent: Agent;
  tenantId: string;
  accountId: string;
  campaignId: string;
};

/** A tenant with SES connected (its own simulator account at `rate`), `recipients` contacts and a campaign ready to send. */
export async function readyTenant(
  deps: { apiUrl: string; sim: SimulatorControl; sql: Sql },
  input: { name: string; rate: number; recipients: number; index: number },
): Promise<ScaleTenant> {
  const { name, rate, recipients, index } = input;
  const accessKeyId = `AKIASCALEOUT${String(index).padStart(4, '0')}${String(Date.now() % 10_000).padStart(4, '0')}`;
  const secretAccessKey = `scale-out-secret-${index}`;
  const accountId = String(300000000000 + index * 1000 + (Date.now() % 1000));
  await deps.sim.putAccount({
    accessKeyId,
    secretAccessKey,
    accountId,
    identities: [{ identity: 'news@sender.test', status: 'Success' }],
    maxSendRate: rate,
    max24HourSend: -1,
    // SES events through a configuration set, as Herald's event setup makes them: they carry Herald's
    // message tag (an event may arrive before the send's outcome is written) and include Send, Open, Click.
    defaultConfigurationSet: 'herald-events',
  });
  const { agent, account } = await signedUpAgent(deps.apiUrl, name);
  await agent.trpc.channels.email.connect.mutate({ accessKeyId, secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test' });
  await agent.trpc.tenant.updateProfile.mutate({ companyName: `${name} Ltd`, postalAddress: 'Harbour Road 7\n20457 Hamburg' });
  const { id: listId } = await agent.trpc.lists.create.mutate({ name: 'Readers' });
  await seedRecipients(deps.sql, account.tenant.id, listId, recipients);
  const { id: campaignId } = await agent.trpc.campaigns.create.mutate({
    name: `${name} news`,
    channel: 'email',
    subject: 'Hello {{ first_name | default: "there" }}',
    fromEmail: 'news@sender.test',
    fromName: `${name} News`,
    html: '<html><body><p>Hi {{ first_name }}, here is the <a href="https://sender.test/news">news</a>.</p></body></html>',
    listId,
  });
  return { name, rate, recipients, agent, tenantId: account.tenant.id, accountId, campaignId };
}

/**
 * `count` subscribed contacts on the list, set-based: ordinary inboxes, and one in 100 a bouncing
 * address of the SES mailbox simulator, so bounces flow too. No complaints: above 0.1 % the
 * reputation guard rightly pauses the tenant's campaigns, which is not what this run is about.
 */
async function seedRecipients(sql: Sql, tenantId: string, listId: string, count: number): Promise<void> {
  await sql`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${tenantId},
        case when i % 100 = 37 then 'bounce+r' || i || '@simulator.amazonses.com' else 'reader-' || lpad(i::text, 6, '0') || '@inbox.test' end,
        'Reader' || i
      from generate_series(1, ${count}) i
      returning id
    )
    insert into list_members (list_id, contact_id, tenant_id) select ${listId}, id, ${tenantId} from made`;
}
