import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY } from '../src/dev/sesSimulator.js';
import { appRouter } from '../src/routers/index.js';
import { agent, signedUpAgent, type Agent } from './agent.js';
import { upload } from './importHelpers.js';
import { firstMetricsAnswer } from './metricsSubscriber.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Tenant B, with its session and with its API key, goes after tenant A's data
 * through every procedure. Each new procedure must get a case here: the last
 * test fails for any procedure that has none.
 */

type Tenant = {
  session: Agent;
  apiKey: Agent;
  apiKeySecret: string;
  tenantId: string;
  apiKeyId: string;
  contactId: string;
  listId: string;
  suppressionId: string;
  importId: string;
  campaignId: string;
  templateId: string;
  emailId: string;
  segmentId: string;
};
type World = { a: Tenant; b: Tenant };

async function makeTenant(url: string, name: string): Promise<Tenant> {
  const { agent: session, account } = await signedUpAgent(url, name);
  const created = await session.trpc.apiKeys.create.mutate({ name: `${name} key` });
  await session.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: `${name.toLowerCase()}@herald.test` });
  await session.trpc.tenant.updateProfile.mutate({ companyName: `${name} Inc`, postalAddress: `${name} Street 1, 12345 Town` });
  const list = await session.trpc.lists.create.mutate({ name: `${name} list` });
  const contact = await session.trpc.contacts.create.mutate({ email: `member@${name.toLowerCase()}.test`, listIds: [list.id], attributes: { [`${name.toLowerCase()}_plan`]: 'gold' } });
  const suppression = await session.trpc.suppressions.add.mutate({ email: `blocked@${name.toLowerCase()}.test` });
  const uploaded = await upload(url, session, `email\nimported@${name.toLowerCase()}.test\n`);
  const campaign = await session.trpc.campaigns.create.mutate({ ...campaignDraft(list.id), name: `${name} campaign` });
  const template = await session.trpc.templates.create.mutate({ ...templateDraft, name: `${name} template` });
  const segment = await session.trpc.segments.create.mutate({ name: `${name} segment`, listId: list.id, conditions: { match: 'all', conditions: [{ field: 'list', op: 'in', listId: list.id }] } });
  const email = await session.trpc.emails.send.mutate({ from: `${name.toLowerCase()}@herald.test`, to: `reader@${name.toLowerCase()}.test`, subject: 'Receipt', text: 'Thanks', idempotencyKey: 'receipt-1' });
  return {
    session,
    apiKey: agent(url, { bearer: created.key, origin: null }),
    apiKeySecret: created.key,
    tenantId: account.tenant.id,
    apiKeyId: created.id,
    contactId: contact.id,
    listId: list.id,
    suppressionId: suppression.id,
    importId: uploaded.body.id,
    campaignId: campaign.id,
    templateId: template.id,
    emailId: email.id,
    segmentId: segment.id,
  };
}

type Case = {
  /** What B tries; it must fail or only touch B's own data. */
  attack: (b: Agent, world: World) => Promise<unknown>;
  /** The error B gets, when the attempt is refused outright. */
  refusedWith?: string;
  /** A's data as seen by A after the attack must be what it was. */
  check?: (world: World, attempt: unknown) => Promise<void>;
};

const campaignDraft = (listId: string) => ({
  name: 'Draft',
  channel: 'email' as const,
  subject: 'Hi {{ first_name }}',
  fromEmail: 'news@herald.test',
  html: '<p>Hello</p>',
  listId,
});

const templateDraft = { subject: 'Welcome {{ first_name }}', html: '<p>Hi {{ first_name }}</p>', variables: [{ name: 'first_name', required: true, sample: 'Alex' }] };

const demoKeys = { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY, region: 'us-east-1' as const };

const cases: Record<string, Case | 'not tenant-scoped'> = {
  'auth.signUp': 'not tenant-scoped',
  'auth.signIn': 'not tenant-scoped',
  'auth.signOut': 'not tenant-scoped',
  'auth.me': 'not tenant-scoped',
  'apiKeys.list': {
    attack: (b) => b.trpc.apiKeys.list.query(),
    check: async (world, seen) => {
      expect((seen as Array<{ id: string }>).map((k) => k.id)).not.toContain(world.a.apiKeyId);
    },
  },
  'apiKeys.revoke': {
    attack: (b, world) => b.trpc.apiKeys.revoke.mutate({ id: world.a.apiKeyId }),
    refusedWith: 'NOT_FOUND',
  },
  'apiKeys.create': {
    attack: (b) => b.trpc.apiKeys.create.mutate({ name: 'created by B' }),
    check: async (world) => {
      const names = (await world.a.session.trpc.apiKeys.list.query()).map((k) => k.name);
      expect(names).not.toContain('created by B');
    },
  },
  'channels.email.get': {
    attack: (b) => b.trpc.channels.email.get.query(),
    check: async (_world, seen) => {
      expect(seen).toMatchObject({ senderEmail: 'beta@herald.test' });
    },
  },
  'channels.email.connect': {
    attack: (b) => b.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: 'changed-by-b@herald.test' }),
    check: async (world) => {
      expect((await world.a.session.trpc.channels.email.get.query()).senderEmail).toBe('alpha@herald.test');
    },
  },
  'channels.email.checkKeys': {
    attack: (b) => b.trpc.channels.email.checkKeys.mutate(demoKeys),
  },
  'channels.email.verifiedEmails': {
    attack: (b) => b.trpc.channels.email.verifiedEmails.query(),
  },
  'channels.email.health': {
    // Topics belong to the AWS account: B sees only those of the account B itself connected.
    attack: async (b) => {
      await h.herald.deps.sql`insert into sns_topics (topic_arn, aws_account_id, confirmed_at)
        values ('arn:aws:sns:us-east-1:999999999999:someone-else', '999999999999', now()) on conflict do nothing`;
      return b.trpc.channels.email.health.query();
    },
    check: async (world, seen) => {
      const { accountId } = await world.b.session.trpc.channels.email.get.query();
      const arns = (seen as { topics: { topicArn: string }[] }).topics.map((t) => t.topicArn);
      expect(arns.every((arn) => arn.includes(`:${accountId as string}:`))).toBe(true);
    },
  },
  'channels.email.refresh': {
    attack: (b) => b.trpc.channels.email.refresh.mutate(),
    check: async (world, seen) => {
      expect((seen as { senderEmail: string }).senderEmail).not.toBe('alpha@herald.test');
      expect((await world.a.session.trpc.channels.email.get.query()).senderEmail).toBe('alpha@herald.test');
    },
  },
  'channels.email.setupEvents': {
    attack: (b) => b.trpc.channels.email.setupEvents.mutate(),
    check: async (world) => {
      // The AWS resources are the shared account's; A's own setup state is untouched.
      const [a] = await h.herald.deps.sql`select configuration_set_name, events_setup_at from tenant_channel_settings where tenant_id = ${world.a.tenantId}`;
      expect(a).toEqual({ configuration_set_name: null, events_setup_at: null });
    },
  },
  'channels.email.sendTestEmails': {
    attack: (b) => b.trpc.channels.email.sendTestEmails.mutate(),
    check: async (world) => {
      const [a] = await h.herald.deps.sql`select count(*)::int as n from test_sends where tenant_id = ${world.a.tenantId} and kind = 'setup'`;
      expect(a?.n).toBe(0);
    },
  },
  'channels.email.testEmails': {
    attack: async (b, world) => {
      const { batchId } = await world.a.session.trpc.channels.email.sendTestEmails.mutate();
      return b.trpc.channels.email.testEmails.query({ batchId });
    },
    refusedWith: 'NOT_FOUND',
  },
  'channels.email.identities.list': {
    attack: async (b, world) => {
      await world.a.session.trpc.channels.email.identities.add.mutate({ domain: 'alpha-listed.test' });
      return b.trpc.channels.email.identities.list.query();
    },
    check: async (_world, seen) => {
      // Both tenants use one AWS account, so B sees the identity, but not as one B added.
      const listed = (seen as { identities: { identity: string; addedByHerald: boolean }[] }).identities.find((i) => i.identity === 'alpha-listed.test');
      expect(listed?.addedByHerald).toBe(false);
    },
  },
  'channels.email.identities.add': {
    attack: (b) => b.trpc.channels.email.identities.add.mutate({ domain: 'beta-added.test' }),
    check: async (world) => {
      const rows = await h.herald.deps.sql`select identity from sender_identities where tenant_id = ${world.a.tenantId} and identity = 'beta-added.test'`;
      expect(rows).toHaveLength(0);
    },
  },
  'channels.email.identities.remove': {
    attack: async (b, world) => {
      await world.a.session.trpc.channels.email.identities.add.mutate({ domain: 'alpha-owned.test' });
      return b.trpc.channels.email.identities.remove.mutate({ identity: 'alpha-owned.test' });
    },
    refusedWith: 'FORBIDDEN',
    check: async (world) => {
      const { identities } = await world.a.session.trpc.channels.email.identities.list.query();
      expect(identities.find((i) => i.identity === 'alpha-owned.test')).toMatchObject({ addedByHerald: true });
    },
  },
  'channels.email.disconnect': {
    attack: async (b, world) => {
      await b.trpc.channels.email.disconnect.mutate();
      // Put B back for the next case; A must never have been touched.
      await world.b.session.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: 'beta@herald.test' });
    },
    check: async (world) => {
      expect((await world.a.session.trpc.channels.email.get.query()).connected).toBe(true);
    },
  },
};

const notFound = 'NOT_FOUND';
Object.assign(cases, {
  'tenant.getProfile': { attack: (b) => b.trpc.tenant.getProfile.query(), check: async (_w, seen) => expect(seen).toMatchObject({ companyName: 'Beta Inc' }) },
  'tenant.updateProfile': {
    attack: (b) => b.trpc.tenant.updateProfile.mutate({ companyName: 'Beta Inc', postalAddress: 'Beta Street 1, 12345 Town' }),
    check: async (world) => expect((await world.a.session.trpc.tenant.getProfile.query()).companyName).toBe('Alpha Inc'),
  },
  'contacts.create': { attack: (b, world) => b.trpc.contacts.create.mutate({ email: 'sneaky@alpha.test', listIds: [world.a.listId] }), refusedWith: notFound },
  'contacts.get': { attack: (b, world) => b.trpc.contacts.get.query({ id: world.a.contactId }), refusedWith: notFound },
  'contacts.list': {
    attack: (b, world) => b.trpc.contacts.list.query({ listId: world.a.listId }),
    check: async (_w, seen) => expect((seen as { items: unknown[] }).items).toEqual([]),
  },
  'contacts.count': { attack: (b) => b.trpc.contacts.count.query(), check: async (_w, seen) => expect(seen).toEqual({ total: 1 }) },
  'contacts.update': { attack: (b, world) => b.trpc.contacts.update.mutate({ id: world.a.contactId, firstName: 'Hacked', status: 'unsubscribed' }), refusedWith: notFound },
  'contacts.delete': { attack: (b, world) => b.trpc.contacts.delete.mutate({ id: world.a.contactId }), refusedWith: notFound },
  'contacts.importStart': { attack: (b, world) => b.trpc.contacts.importStart.mutate({ id: world.a.importId, mapping: { email: 'email', attributes: {} } }), refusedWith: notFound },
  'contacts.importStatus': { attack: (b, world) => b.trpc.contacts.importStatus.query({ id: world.a.importId }), refusedWith: notFound },
  'contacts.imports': { attack: (b) => b.trpc.contacts.imports.query(), check: async (_w, seen) => expect(seen).toEqual([]) },
  'lists.create': { attack: (b) => b.trpc.lists.create.mutate({ name: 'Alpha list' }) },
  'lists.list': {
    attack: (b) => b.trpc.lists.list.query(),
    check: async (world, seen) => expect((seen as Array<{ id: string }>).map((l) => l.id)).not.toContain(world.a.listId),
  },
  'lists.get': { attack: (b, world) => b.trpc.lists.get.query({ id: world.a.listId }), refusedWith: notFound },
  'lists.rename': { attack: (b, world) => b.trpc.lists.rename.mutate({ id: world.a.listId, name: 'Renamed by B' }), refusedWith: notFound },
  'lists.delete': { attack: (b, world) => b.trpc.lists.delete.mutate({ id: world.a.listId }), refusedWith: notFound },
  'lists.addContacts': { attack: (b, world) => b.trpc.lists.addContacts.mutate({ listId: world.b.listId, contactIds: [world.a.contactId] }), refusedWith: notFound },
  'lists.removeContacts': { attack: (b, world) => b.trpc.lists.removeContacts.mutate({ listId: world.a.listId, contactIds: [world.a.contactId] }), refusedWith: notFound },
  'suppressions.list': {
    attack: (b) => b.trpc.suppressions.list.query({ search: 'blocked@alpha' }),
    check: async (_w, seen) => expect((seen as { items: unknown[] }).items).toEqual([]),
  },
  'suppressions.add': { attack: (b) => b.trpc.suppressions.add.mutate({ email: 'member@alpha.test' }) },
  'suppressions.remove': { attack: (b, world) => b.trpc.suppressions.remove.mutate({ id: world.a.suppressionId }), refusedWith: notFound },
} satisfies Record<string, Case>);

Object.assign(cases, {
  'campaigns.create': { attack: (b, world) => b.trpc.campaigns.create.mutate(campaignDraft(world.a.listId)), refusedWith: notFound },
  'campaigns.update': { attack: (b, world) => b.trpc.campaigns.update.mutate({ id: world.a.campaignId, name: 'Changed by B' }), refusedWith: notFound },
  'campaigns.get': { attack: (b, world) => b.trpc.campaigns.get.query({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.list': {
    attack: (b) => b.trpc.campaigns.list.query(),
    check: async (world, seen) => expect((seen as Array<{ id: string }>).map((c) => c.id)).toEqual([world.b.campaignId]),
  },
  'campaigns.delete': { attack: (b, world) => b.trpc.campaigns.delete.mutate({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.preview': {
    attack: async (b, world) => {
      // B's own campaign rendered for A's contact would leak A's contact data.
      await expect(b.trpc.campaigns.preview.query({ id: world.b.campaignId, contactId: world.a.contactId })).rejects.toMatchObject({ data: { code: notFound } });
      return b.trpc.campaigns.preview.query({ id: world.a.campaignId });
    },
    refusedWith: notFound,
  },
  'campaigns.metrics': { attack: (b, world) => b.trpc.campaigns.metrics.query({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.onMetrics': {
    attack: (b, world) => firstMetricsAnswer(h.herald.url, b === world.b.session ? { cookie: b.cookie } : { bearer: world.b.apiKeySecret }, world.a.campaignId),
    refusedWith: notFound,
  },
  'campaigns.sendCheck': { attack: (b, world) => b.trpc.campaigns.sendCheck.query({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.sendTest': { attack: (b, world) => b.trpc.campaigns.sendTest.mutate({ id: world.a.campaignId, to: 'member@alpha.test' }), refusedWith: notFound },
  'campaigns.send': { attack: (b, world) => b.trpc.campaigns.send.mutate({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.schedule': {
    attack: (b, world) => b.trpc.campaigns.schedule.mutate({ id: world.a.campaignId, sendAt: '2099-01-01T09:00', timeZone: 'Europe/Berlin' }),
    refusedWith: notFound,
  },
  'campaigns.unschedule': { attack: (b, world) => b.trpc.campaigns.unschedule.mutate({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.pause': { attack: (b, world) => b.trpc.campaigns.pause.mutate({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.resume': { attack: (b, world) => b.trpc.campaigns.resume.mutate({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.cancel': { attack: (b, world) => b.trpc.campaigns.cancel.mutate({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.report.timeline': { attack: (b, world) => b.trpc.campaigns.report.timeline.query({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.report.links': { attack: (b, world) => b.trpc.campaigns.report.links.query({ id: world.a.campaignId }), refusedWith: notFound },
  'campaigns.report.recipients': { attack: (b, world) => b.trpc.campaigns.report.recipients.query({ id: world.a.campaignId, status: 'failed' }), refusedWith: notFound },
  'campaigns.report.resendFailed': { attack: (b, world) => b.trpc.campaigns.report.resendFailed.mutate({ id: world.a.campaignId }), refusedWith: notFound },
} satisfies Record<string, Case>);

Object.assign(cases, {
  // Names are per tenant: B may have its own "Alpha template".
  'templates.create': { attack: (b) => b.trpc.templates.create.mutate({ ...templateDraft, name: 'Alpha template' }) },
  'templates.update': { attack: (b, world) => b.trpc.templates.update.mutate({ id: world.a.templateId, subject: 'Changed by B' }), refusedWith: notFound },
  'templates.get': { attack: (b, world) => b.trpc.templates.get.query({ id: world.a.templateId, version: 1 }), refusedWith: notFound },
  'templates.list': {
    attack: (b) => b.trpc.templates.list.query({ search: 'alpha' }),
    check: async (world, seen) => expect((seen as { items: Array<{ id: string }> }).items.map((t) => t.id)).not.toContain(world.a.templateId),
  },
  'templates.delete': { attack: (b, world) => b.trpc.templates.delete.mutate({ id: world.a.templateId }), refusedWith: notFound },
  'templates.preview': { attack: (b, world) => b.trpc.templates.preview.mutate({ id: world.a.templateId, variables: {} }), refusedWith: notFound },
  'segments.create': {
    attack: (b, world) => b.trpc.segments.create.mutate({ name: 'Alpha base', listId: world.a.listId, conditions: { match: 'all', conditions: [] } }),
    refusedWith: notFound,
  },
  'segments.update': { attack: (b, world) => b.trpc.segments.update.mutate({ id: world.a.segmentId, name: 'Changed by B' }), refusedWith: notFound },
  'segments.get': { attack: (b, world) => b.trpc.segments.get.query({ id: world.a.segmentId }), refusedWith: notFound },
  'segments.list': {
    attack: (b) => b.trpc.segments.list.query(),
    check: async (_w, seen) => expect((seen as { name: string }[]).map((s) => s.name)).toEqual(['Beta segment']),
  },
  'segments.delete': { attack: (b, world) => b.trpc.segments.delete.mutate({ id: world.a.segmentId }), refusedWith: notFound },
  'segments.preview': { attack: (b, world) => b.trpc.segments.preview.mutate({ id: world.a.segmentId }), refusedWith: notFound },
  'segments.attributeNames': { attack: (b) => b.trpc.segments.attributeNames.query(), check: async (_w, seen) => expect(seen).toEqual({ names: ['beta_plan'] }) },
} satisfies Record<string, Case>);

Object.assign(cases, {
  // Idempotency keys are per tenant: A's key in B's hands starts B's own email.
  'emails.send': {
    attack: (b) => b.trpc.emails.send.mutate({ from: 'beta@herald.test', to: 'reader@alpha.test', subject: 'Receipt', text: 'Thanks', idempotencyKey: 'receipt-1' }),
    check: async (world, sent) => expect((sent as { id: string }).id).not.toBe(world.a.emailId),
  },
  'emails.get': { attack: (b, world) => b.trpc.emails.get.query({ id: world.a.emailId }), refusedWith: notFound },
  'emails.list': {
    attack: (b) => b.trpc.emails.list.query({ recipient: 'reader@alpha.test' }),
    check: async (world, seen) => expect((seen as { items: Array<{ id: string }> }).items.map((e) => e.id)).not.toContain(world.a.emailId),
  },
} satisfies Record<string, Case>);

/**
 * Reputation and dashboard take no id: what B must never see is A's numbers. A has sent 1,000 (80 hard
 * bounces) and is paused by the guard with a campaign in flight; B has sent 10. B's answers must be B's alone.
 */
async function giveTenantsHistory(): Promise<void> {
  const { id: inFlight } = await world.a.session.trpc.campaigns.create.mutate({ ...campaignDraft(world.a.listId), name: 'Alpha in flight' });
  await h.herald.deps.sql`update campaigns set status = 'paused', paused_reason = 'Alpha reason' where id = ${inFlight}`;
  await h.herald.deps.sql`
    insert into campaign_timeline (campaign_id, tenant_id, metric, bucket, shard, count) values
      (${world.a.campaignId}, ${world.a.tenantId}, 'sent', date_trunc('minute', now()), 0, 1000),
      (${world.a.campaignId}, ${world.a.tenantId}, 'delivered', date_trunc('minute', now()), 0, 900),
      (${world.a.campaignId}, ${world.a.tenantId}, 'bounced_hard', date_trunc('minute', now()), 0, 80),
      (${world.a.campaignId}, ${world.a.tenantId}, 'complained', date_trunc('minute', now()), 0, 5),
      (${world.b.campaignId}, ${world.b.tenantId}, 'sent', date_trunc('minute', now()), 0, 10)`;
  await h.herald.deps.sql`insert into tenant_reputation (tenant_id, state, reason, paused_at) values (${world.a.tenantId}, 'paused', 'Alpha reason', now())`;
}

const setReputationOfB = (state: 'ok' | 'paused') =>
  h.herald.deps.sql`insert into tenant_reputation (tenant_id, state, reason, paused_at) values (${world.b.tenantId}, ${state}, ${state === 'paused' ? 'Beta reason' : null}, now())
    on conflict (tenant_id) do update set state = excluded.state, reason = excluded.reason`;

Object.assign(cases, {
  'reputation.get': {
    attack: (b) => b.trpc.reputation.get.query(),
    check: async (_w, seen) => expect(seen).toMatchObject({ state: 'ok', sends: 10, bounces: 0, complaints: 0, reason: null }),
  },
  'reputation.resume': {
    // B's owner lifts B's own pause and nothing of A's; B's API key may not lift anything.
    attack: async (b, world) => {
      await setReputationOfB('paused');
      const attempt = await b.trpc.reputation.resume.mutate().catch((err: unknown) => err);
      if (b === world.b.apiKey) {
        expect(attempt).toMatchObject({ data: { code: 'FORBIDDEN' } });
        await setReputationOfB('ok');
      } else {
        expect(attempt).toMatchObject({ state: 'ok', sends: 0 });
      }
      return attempt;
    },
  },
  'dashboard.summary': {
    attack: (b) => b.trpc.dashboard.summary.query(),
    check: async (_w, seen) => {
      const summary = seen as { days: { sent: number }[]; totals: unknown; inFlight: unknown[]; reputation: { sends: number }; ses: unknown };
      expect(summary.totals).toEqual({ sent: 10, delivered: 0, bounced: 0, complained: 0 });
      expect(summary.days.reduce((n, d) => n + d.sent, 0)).toBe(10);
      expect(summary.inFlight).toEqual([]);
      // B's own 10 sends, or none once B's owner resumed (the reputation.resume case): never A's 1,000.
      expect(summary.reputation).toMatchObject({ state: 'ok', bounces: 0, complaints: 0 });
      expect(summary.reputation.sends).toBeLessThanOrEqual(10);
      expect(summary.ses).toMatchObject({ senderEmail: 'beta@herald.test' });
    },
  },
} satisfies Record<string, Case>);

/** The plan's REST routes, with B's cookie or B's API key. */
const restCases: Array<{ method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }> = [
  { method: 'GET', path: '/api/tenant/channels/email' },
  { method: 'GET', path: '/api/tenant/channels/email/verified-emails' },
  { method: 'POST', path: '/api/tenant/channels/email', body: { ...demoKeys, senderEmail: 'rest-b@herald.test' } },
  { method: 'DELETE', path: '/api/tenant/channels/email' },
];

const h = useHeraldWithSimulator();
let world: World;
beforeAll(async () => {
  world = { a: await makeTenant(h.herald.url, 'Alpha'), b: await makeTenant(h.herald.url, 'Beta') };
  await giveTenantsHistory();
});

async function snapshotOfA(): Promise<unknown> {
  const a = world.a.tenantId;
  return {
    tenant: await h.herald.deps.sql`select * from tenants where id = ${a}`,
    apiKeys: await h.herald.deps.sql`select id, name, revoked_at from api_keys where tenant_id = ${a} order by id`,
    channels: await h.herald.deps.sql`select * from tenant_channel_settings where tenant_id = ${a}`,
    contacts: await h.herald.deps.sql`select * from contacts where tenant_id = ${a} order by id`,
    lists: await h.herald.deps.sql`select * from lists where tenant_id = ${a} order by id`,
    members: await h.herald.deps.sql`select list_id, contact_id from list_members where tenant_id = ${a} order by contact_id`,
    suppressions: await h.herald.deps.sql`select * from suppressions where tenant_id = ${a} order by id`,
    imports: await h.herald.deps.sql`select id, status, mapping from contact_imports where tenant_id = ${a} order by id`,
    campaigns: await h.herald.deps.sql`select * from campaigns where tenant_id = ${a} order by id`,
    messages: await h.herald.deps.sql`select * from messages where tenant_id = ${a} order by id`,
    sendJobs: await h.herald.deps.sql`select key, run_at from graphile_worker.jobs where key like 'campaign-%' order by key`,
    reputation: await h.herald.deps.sql`select * from tenant_reputation where tenant_id = ${a}`,
    timeline: await h.herald.deps.sql`select * from campaign_timeline where tenant_id = ${a} order by campaign_id, metric, bucket, shard`,
    templates: await h.herald.deps.sql`select * from templates where tenant_id = ${a} order by id`,
    templateVersions: await h.herald.deps.sql`select * from template_versions where tenant_id = ${a} order by id`,
    emails: await h.herald.deps.sql`select * from emails where tenant_id = ${a} order by id`,
    emailRecipients: await h.herald.deps.sql`select * from email_recipients where tenant_id = ${a} order by id`,
    segments: await h.herald.deps.sql`select * from segments where tenant_id = ${a} order by id`,
  };
}

for (const [name, testCase] of Object.entries(cases)) {
  if (testCase === 'not tenant-scoped') continue;
  describe(name, () => {
    for (const credential of ['session', 'apiKey'] as const) {
      it(`tenant B's ${credential} cannot reach tenant A's data`, async () => {
        const before = await snapshotOfA();
        const attempt = await testCase.attack(world.b[credential], world).catch((err: unknown) => err);
        if (testCase.refusedWith) expect(attempt).toMatchObject({ data: { code: testCase.refusedWith } });
        await testCase.check?.(world, attempt);
        expect(await snapshotOfA()).toEqual(before);
      });
    }
  });
}

describe('REST routes', () => {
  for (const route of restCases) {
    for (const credential of ['session', 'apiKey'] as const) {
      it(`${route.method} ${route.path} with tenant B's ${credential} never touches tenant A`, async () => {
        const before = await snapshotOfA();
        const headers: Record<string, string> =
          credential === 'session'
            ? { cookie: world.b.session.cookie ?? '', origin: h.herald.url }
            : { authorization: `Bearer ${world.b.apiKeySecret}` };
        if (route.body) headers['content-type'] = 'application/json';
        const res = await fetch(`${h.herald.url}${route.path}`, { method: route.method, headers, body: route.body ? JSON.stringify(route.body) : undefined });
        expect(res.status).toBe(200);
        expect(JSON.stringify(await res.json())).not.toContain('alpha@herald.test');
        expect(await snapshotOfA()).toEqual(before);
        if (route.method !== 'GET') await world.b.session.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: 'beta@herald.test' });
      });
    }
  }
});

describe('import and suppression REST routes', () => {
  for (const credential of ['session', 'apiKey'] as const) {
    it(`tenant B's ${credential} cannot read A's import errors or write into A`, async () => {
      const before = await snapshotOfA();
      const headers: Record<string, string> =
        credential === 'session' ? { cookie: world.b.session.cookie ?? '', origin: h.herald.url } : { authorization: `Bearer ${world.b.apiKeySecret}` };
      const errors = await fetch(`${h.herald.url}/api/contacts/imports/${world.a.importId}/errors.csv`, { headers });
      expect(errors.status).toBe(404);
      const uploaded = await fetch(`${h.herald.url}/api/contacts/imports?fileName=b.csv`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: 'email\nb-upload@beta.test\n' });
      expect(uploaded.status).toBe(200);
      const suppressed = await fetch(`${h.herald.url}/api/suppressions/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: 'email\nmember@alpha.test\n' });
      expect(await suppressed.json()).toMatchObject({ added: expect.any(Number) });
      expect(await snapshotOfA()).toEqual(before);
    });
  }
  it('the routes refuse anonymous callers', async () => {
    expect((await fetch(`${h.herald.url}/api/contacts/imports`, { method: 'POST', body: 'email\n' })).status).toBe(401);
    expect((await fetch(`${h.herald.url}/api/suppressions/import`, { method: 'POST', body: 'email\n' })).status).toBe(401);
    expect((await fetch(`${h.herald.url}/api/contacts/imports/${world.a.importId}/errors.csv`)).status).toBe(401);
  });
});

describe('campaign recipients export', () => {
  for (const credential of ['session', 'apiKey'] as const) {
    it(`tenant B's ${credential} gets 404 for A's campaign`, async () => {
      const headers: Record<string, string> = credential === 'session' ? { cookie: world.b.session.cookie ?? '' } : { authorization: `Bearer ${world.b.apiKeySecret}` };
      const res = await fetch(`${h.herald.url}/api/campaigns/${world.a.campaignId}/recipients.csv`, { headers });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No campaign with this id.' } });
    });
  }
});

it('every procedure has an isolation case', () => {
  const procedures = Object.keys(appRouter._def.procedures).sort();
  expect(Object.keys(cases).sort()).toEqual(procedures);
});
