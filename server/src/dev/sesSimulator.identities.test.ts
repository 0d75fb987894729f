import {
  DeleteIdentityCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  ListIdentitiesCommand,
  SendEmailCommand,
  SESClient,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, NO_QUOTA_ACCESS_KEY_ID, simAccountSchema } from './accounts.js';
import { IdentityStore, MAX_IDENTITIES } from './identityStore.js';
import { type SesSimulator, startSesSimulator } from './sesSimulator.js';

let now = Date.UTC(2030, 0, 1);
let sim: SesSimulator;
const clients: SESClient[] = [];
beforeAll(async () => {
  // A driven clock: verification delays pass exactly when the test says so.
  sim = await startSesSimulator({ clock: () => now });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await sim.stop();
});
beforeEach(() => {
  now += 60_000; // a fresh rate window for every test
});

function client(accessKeyId = DEMO_ACCESS_KEY_ID) {
  const c = new SESClient({ endpoint: sim.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: DEMO_SECRET_ACCESS_KEY } });
  clients.push(c);
  return c;
}

const sendFrom = (ses: SESClient, Source: string) =>
  ses.send(new SendEmailCommand({ Source, Destination: { ToAddresses: ['to@example.com'] }, Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } } }));

describe('identity verification', () => {
  it('adds a domain Pending with its tokens, verifies it after identityVerificationDelayMs, and lets it send only then', async () => {
    const ses = client();
    const { VerificationToken } = await ses.send(new VerifyDomainIdentityCommand({ Domain: 'newdomain.test' }));
    const { DkimTokens = [] } = await ses.send(new VerifyDomainDkimCommand({ Domain: 'newdomain.test' }));
    expect(DkimTokens).toHaveLength(3);
    for (const token of DkimTokens) expect(token).toMatch(/^[a-z0-9]{32}$/);
    expect((await ses.send(new VerifyDomainDkimCommand({ Domain: 'newdomain.test' }))).DkimTokens).toEqual(DkimTokens);

    const verification = () => ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['newdomain.test'] }));
    const dkim = () => ses.send(new GetIdentityDkimAttributesCommand({ Identities: ['newdomain.test', 'demo@herald.test', 'unknown.test'] }));
    expect((await verification()).VerificationAttributes).toEqual({ 'newdomain.test': { VerificationStatus: 'Pending', VerificationToken } });
    expect((await dkim()).DkimAttributes).toEqual({
      'newdomain.test': { DkimEnabled: true, DkimVerificationStatus: 'Pending', DkimTokens },
      'demo@herald.test': { DkimEnabled: false, DkimVerificationStatus: 'NotStarted' },
    });
    await expect(sendFrom(ses, 'x@newdomain.test')).rejects.toMatchObject({ name: 'MessageRejected' });

    now += 2_999;
    expect((await verification()).VerificationAttributes?.['newdomain.test']?.VerificationStatus).toBe('Pending');
    now += 1;
    expect((await verification()).VerificationAttributes?.['newdomain.test']?.VerificationStatus).toBe('Success');
    expect((await dkim()).DkimAttributes?.['newdomain.test']?.DkimVerificationStatus).toBe('Success');
    expect((await sendFrom(ses, 'x@newdomain.test')).MessageId).toBeTruthy();
    // Identities belong to the account: another IAM user of it sees the domain too.
    expect((await client(NO_QUOTA_ACCESS_KEY_ID).send(new ListIdentitiesCommand({ IdentityType: 'Domain' }))).Identities).toEqual([
      'herald.test',
      'newdomain.test',
    ]);

    await ses.send(new DeleteIdentityCommand({ Identity: 'newdomain.test' }));
    await ses.send(new DeleteIdentityCommand({ Identity: 'never-added.test' }));
    expect((await verification()).VerificationAttributes).toEqual({});
    await expect(sendFrom(ses, 'x@newdomain.test')).rejects.toMatchObject({ name: 'MessageRejected' });
  });

  it('verifies an email address idempotently (asking again does not restart the wait) and honours a delay set through PUT', async () => {
    const ses = client();
    const put = await fetch(`${sim.url}/_simulator/accounts/AKIAIDENTITYTEST0001`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secretAccessKey: DEMO_SECRET_ACCESS_KEY, accountId: '999988887777', identityVerificationDelayMs: 10_000 }),
    });
    expect(await put.json()).toMatchObject({ identityVerificationDelayMs: 10_000 });
    const other = client('AKIAIDENTITYTEST0001');
    const status = async (c: SESClient, identity: string) =>
      (await c.send(new GetIdentityVerificationAttributesCommand({ Identities: [identity] }))).VerificationAttributes?.[identity]?.VerificationStatus;

    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'ops@elsewhere.test' }));
    await other.send(new VerifyEmailIdentityCommand({ EmailAddress: 'ops@elsewhere.test' }));
    now += 2_000;
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'ops@elsewhere.test' }));
    now += 1_000;
    expect(await status(ses, 'ops@elsewhere.test')).toBe('Success');
    expect(await status(other, 'ops@elsewhere.test')).toBe('Pending');
    expect((await ses.send(new GetIdentityDkimAttributesCommand({ Identities: ['ops@elsewhere.test'] }))).DkimAttributes).toEqual({
      'ops@elsewhere.test': { DkimEnabled: false, DkimVerificationStatus: 'NotStarted' },
    });
    now += 7_000;
    expect(await status(other, 'ops@elsewhere.test')).toBe('Success');

    // Preset identities stay as they are; a verified one is not sent back to Pending.
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'herald.test' }));
    expect(await status(ses, 'herald.test')).toBe('Success');
    await expect(ses.send(new VerifyDomainIdentityCommand({ Domain: 'not a domain' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it(`caps an account at ${MAX_IDENTITIES} identities with LimitExceeded`, () => {
    const store = new IdentityStore();
    const account = simAccountSchema.parse({ accessKeyId: 'AKIALIMITTEST0000001', secretAccessKey: 's', accountId: '123412341234' });
    for (let i = 0; i < MAX_IDENTITIES; i += 1) store.verify(account, `d${i}.test`, 0);
    store.verify(account, 'd0.test', 0); // already there: no new identity
    expect(() => store.verify(account, 'one-more.test', 0)).toThrow(expect.objectContaining({ code: 'LimitExceeded' }));
    store.remove(account, 'd1.test');
    expect(() => store.verify(account, 'one-more.test', 0)).not.toThrow();
  });
});
