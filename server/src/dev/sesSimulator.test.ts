import { Sha256 } from '@aws-crypto/sha256-js';
import {
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  ListIdentitiesCommand,
  ListVerifiedEmailAddressesCommand,
  SendEmailCommand,
  type SendEmailCommandInput,
  SendRawEmailCommand,
  SESClient,
} from '@aws-sdk/client-ses';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEMO_ACCESS_KEY_ID,
  DEMO_ACCOUNT_ID,
  DEMO_SECRET_ACCESS_KEY,
  NO_IDENTITIES_ACCESS_KEY_ID,
  NO_QUOTA_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_ID,
  type SimAccountInput,
} from './accounts.js';
import { type SesSimulator, startSesSimulator } from './sesSimulator.js';
import type { SimMessage } from './simulatorState.js';

const SECRET = DEMO_SECRET_ACCESS_KEY;
const account = (accessKeyId: string, fields: Partial<SimAccountInput> = {}): SimAccountInput => ({
  accessKeyId,
  secretAccessKey: SECRET,
  accountId: '999988887777',
  identities: [{ identity: 'sender@acme.test', status: 'Success' }],
  ...fields,
});

let sim: SesSimulator;
const accepted: SimMessage[] = [];

beforeAll(async () => {
  sim = await startSesSimulator({
    accounts: [
      account('AKIATESTSANDBOX00001', { sandbox: true, maxSendRate: 100 }),
      account('AKIATESTPENDING00001', { identities: [{ identity: 'wait@acme.test', status: 'Pending' }] }),
    ],
    onMessageAccepted: (m) => {
      accepted.push(m);
    },
  });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await fetch(`${sim.url}/_simulator/reset`, { method: 'POST' });
  accepted.length = 0;
});

function ses(accessKeyId = DEMO_ACCESS_KEY_ID, secretAccessKey = SECRET, region = 'us-east-1') {
  return new SESClient({ endpoint: sim.url, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}
function sts(accessKeyId = DEMO_ACCESS_KEY_ID, secretAccessKey = SECRET) {
  return new STSClient({ endpoint: sim.url, region: 'eu-west-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}
const email = (source: string, to: string[], extra: Partial<SendEmailCommandInput> = {}) =>
  new SendEmailCommand({
    Source: source,
    Destination: { ToAddresses: to },
    Message: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi there' } } },
    ...extra,
  });
/** The error a rejected SDK call threw, for asserting name, message and status together. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as { name: string; message: string; $metadata?: { httpStatusCode?: number } },
  );
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}
/** Headers of a demo-key SES request signed by hand, for requests the SDK would never make. */
async function signedHeaders(body: string): Promise<Record<string, string>> {
  const url = new URL(sim.url);
  const signer = new SignatureV4({
    service: 'ses',
    region: 'us-east-1',
    credentials: { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: SECRET },
    sha256: Sha256,
  });
  const headers = { host: url.host, 'content-type': 'application/x-www-form-urlencoded' };
  const request = { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body };
  return (await signer.sign(request)).headers;
}
async function messages(query = ''): Promise<SimMessage[]> {
  return (await fetch(`${sim.url}/_simulator/messages${query}`)).json() as Promise<SimMessage[]>;
}

describe('SES actions', () => {
  it('SendEmail accepts a verified sender and records the message', async () => {
    const out = await ses().send(
      email('Demo <demo@herald.test>', ['a@example.com'], {
        Destination: { ToAddresses: ['a@example.com'], CcAddresses: ['b@example.com'], BccAddresses: ['c@example.com'] },
        Message: { Subject: { Data: 'Hello' }, Body: { Html: { Data: '<p>Hi</p>' }, Text: { Data: 'Hi' } } },
        ConfigurationSetName: 'herald-events',
        Tags: [{ Name: 'herald_message_id', Value: 'm-123' }],
      }),
    );
    expect(out.MessageId).toMatch(/^0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [message] = await messages();
    expect(message).toMatchObject({
      messageId: out.MessageId,
      accountId: DEMO_ACCOUNT_ID,
      region: 'us-east-1',
      action: 'SendEmail',
      source: 'demo@herald.test',
      destinations: ['a@example.com', 'b@example.com', 'c@example.com'],
      configurationSetName: 'herald-events',
      tags: { herald_message_id: 'm-123' },
      subject: 'Hello',
      html: '<p>Hi</p>',
      text: 'Hi',
    });
    expect(message?.headers).toContainEqual({ name: 'From', value: 'Demo <demo@herald.test>' });
  });

  it('SendRawEmail parses the MIME: sender and recipients from the headers, headers kept in order', async () => {
    const raw = [
      'From: "Herald Demo" <demo@herald.test>',
      'To: Ann <ann@example.com>, bob@example.com',
      'Subject: =?UTF-8?Q?Caf=C3=A9?=',
      'List-Unsubscribe: <https://herald.test/u/abc>,',
      ' <mailto:unsubscribe@herald.test>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Plain body',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>HTML body</p>',
      '--b1--',
      '',
    ].join('\r\n');
    const out = await ses().send(
      new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Tags: [{ Name: 'campaign', Value: 'c-1' }] }),
    );
    const [message] = await messages();
    expect(message).toMatchObject({
      messageId: out.MessageId,
      action: 'SendRawEmail',
      source: 'demo@herald.test',
      destinations: ['ann@example.com', 'bob@example.com'],
      subject: 'Café',
      text: 'Plain body',
      tags: { campaign: 'c-1' },
    });
    expect(message?.html).toContain('<p>HTML body</p>');
    expect(message?.headers.map((h) => h.name)).toEqual([
      'From', 'To', 'Subject', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'MIME-Version', 'Content-Type',
    ]);
    expect(message?.headers[3]?.value).toBe('<https://herald.test/u/abc>, <mailto:unsubscribe@herald.test>');
  });

  it('SendRawEmail prefers the Destinations and Source parameters, and needs a sender', async () => {
    const raw = Buffer.from('From: demo@herald.test\r\nTo: header@example.com\r\nSubject: x\r\n\r\nbody');
    await ses().send(new SendRawEmailCommand({ RawMessage: { Data: raw }, Source: 'other@herald.test', Destinations: ['param@example.com'] }));
    expect((await messages())[0]).toMatchObject({ source: 'other@herald.test', destinations: ['param@example.com'] });

    const noFrom = Buffer.from('To: a@example.com\r\nSubject: x\r\n\r\nbody');
    expect(await failure(ses().send(new SendRawEmailCommand({ RawMessage: { Data: noFrom } })))).toEqual({
      name: 'InvalidParameterValue',
      message: "Missing required header 'From'.",
      status: 400,
    });
  });

  it('GetSendQuota reports the limits and counts accepted recipients, not mailbox-simulator ones', async () => {
    expect(await ses().send(new GetSendQuotaCommand({}))).toMatchObject({ Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 });
    await ses().send(email('demo@herald.test', ['a@example.com', 'b@example.com']));
    await ses().send(email('demo@herald.test', ['success@simulator.amazonses.com']));
    expect((await ses().send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(2);
    // Quotas are per region: the same account has sent nothing in eu-west-1.
    expect((await ses(DEMO_ACCESS_KEY_ID, SECRET, 'eu-west-1').send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(0);
    expect(await ses(SANDBOX_ACCESS_KEY_ID).send(new GetSendQuotaCommand({}))).toMatchObject({ Max24HourSend: 200, MaxSendRate: 1 });
  });

  it('ListIdentities filters by type and pages with MaxItems/NextToken', async () => {
    expect((await ses().send(new ListIdentitiesCommand({}))).Identities).toEqual(['demo@herald.test', 'herald.test', 'pending@herald.test']);
    expect((await ses().send(new ListIdentitiesCommand({ IdentityType: 'Domain' }))).Identities).toEqual(['herald.test']);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await ses().send(new ListIdentitiesCommand({ IdentityType: 'EmailAddress', MaxItems: 1, NextToken: token }));
      pages.push(page.Identities ?? []);
      token = page.NextToken;
    } while (token);
    expect(pages).toEqual([['demo@herald.test'], ['pending@herald.test']]);
  });

  it('GetIdentityVerificationAttributes reports statuses, leaves out unknown identities, takes at most 100', async () => {
    const out = await ses().send(
      new GetIdentityVerificationAttributesCommand({ Identities: ['demo@herald.test', 'pending@herald.test', 'herald.test', 'who@else.test'] }),
    );
    expect(Object.keys(out.VerificationAttributes ?? {})).toEqual(['demo@herald.test', 'pending@herald.test', 'herald.test']);
    expect(out.VerificationAttributes?.['pending@herald.test']?.VerificationStatus).toBe('Pending');
    expect(out.VerificationAttributes?.['herald.test']).toMatchObject({ VerificationStatus: 'Success', VerificationToken: expect.any(String) });
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}@herald.test`);
    expect((await failure(ses().send(new GetIdentityVerificationAttributesCommand({ Identities: tooMany })))).name).toBe('InvalidParameterValue');
  });

  it('STS GetCallerIdentity names the account and IAM user', async () => {
    const out = await sts().send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({ Account: DEMO_ACCOUNT_ID, Arn: `arn:aws:iam::${DEMO_ACCOUNT_ID}:user/herald-demo` });
    expect(out.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });

  it('answers an action it does not implement with InvalidAction instead of hanging', async () => {
    expect(await failure(ses().send(new ListVerifiedEmailAddressesCommand({})))).toEqual({
      name: 'InvalidAction',
      message: 'The action ListVerifiedEmailAddresses is not valid for this web service.',
      status: 400,
    });
  });

  it('hands every accepted message to the hook, after answering', async () => {
    const out = await ses().send(email('demo@herald.test', ['a@example.com']));
    await vi.waitFor(() => expect(accepted.map((m) => m.messageId)).toEqual([out.MessageId]));
  });
});

describe('authentication and IAM', () => {
  it('rejects an unknown access key with InvalidClientTokenId', async () => {
    const expected = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 };
    expect(await failure(ses('AKIAUNKNOWN000000000').send(new GetSendQuotaCommand({})))).toEqual(expected);
    expect(await failure(sts('AKIAUNKNOWN000000000').send(new GetCallerIdentityCommand({})))).toEqual(expected);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    const error = await failure(ses(DEMO_ACCESS_KEY_ID, 'not-the-secret').send(new GetSendQuotaCommand({})));
    expect(error).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(error.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
    expect((await failure(sts(DEMO_ACCESS_KEY_ID, 'nope').send(new GetCallerIdentityCommand({})))).name).toBe('SignatureDoesNotMatch');
  });

  it('checks the signature against the body actually sent', async () => {
    const body = 'Action=GetSendQuota&Version=2010-12-01';
    const headers = await signedHeaders(body);
    expect((await fetch(sim.url, { method: 'POST', headers, body })).status).toBe(200);
    const tampered = await fetch(sim.url, { method: 'POST', headers, body: `${body}&Extra=1` });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('does not mistake inherited property names for actions', async () => {
    const body = 'Action=constructor&Version=2010-12-01';
    const res = await fetch(sim.url, { method: 'POST', headers: await signedHeaders(body), body });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('answers an unsigned request with an AWS-shaped XML error', async () => {
    const res = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetSendQuota&Version=2010-12-01',
    });
    expect(res.status).toBe(403);
    const requestId = res.headers.get('x-amzn-requestid');
    expect(await res.text()).toBe(
      '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>' +
        '<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error>' +
        `<RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    );
  });

  it('answers AccessDenied naming the IAM action the key lacks, and allows the rest', async () => {
    expect(await failure(ses(NO_QUOTA_ACCESS_KEY_ID).send(new GetSendQuotaCommand({})))).toEqual({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${DEMO_ACCOUNT_ID}:user/herald-no-quota is not authorized to perform: ses:GetSendQuota`,
      status: 403,
    });
    expect((await ses(NO_QUOTA_ACCESS_KEY_ID).send(new ListIdentitiesCommand({}))).Identities).toHaveLength(3);
    const denied = await failure(ses(NO_IDENTITIES_ACCESS_KEY_ID).send(new ListIdentitiesCommand({})));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(denied.message).toMatch(/is not authorized to perform: ses:ListIdentities$/);
  });
});

describe('sending rules', () => {
  it('rejects an unverified or merely pending sender with MessageRejected naming the region', async () => {
    expect(await failure(ses().send(email('someone@unverified.test', ['a@example.com'])))).toEqual({
      name: 'MessageRejected',
      message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: someone@unverified.test',
      status: 400,
    });
    const pending = await failure(ses('AKIATESTPENDING00001', SECRET, 'eu-west-1').send(email('wait@acme.test', ['a@example.com'])));
    expect(pending.message).toBe('Email address is not verified. The following identities failed the check in region EU-WEST-1: wait@acme.test');
    expect(await messages()).toEqual([]);
  });

  it('accepts any address of a verified domain and its subdomains', async () => {
    await ses().send(email('anyone@herald.test', ['a@example.com']));
    await ses().send(email('news@mail.herald.test', ['a@example.com']));
    expect((await messages()).map((m) => m.source)).toEqual(['anyone@herald.test', 'news@mail.herald.test']);
  });

  it('in the sandbox, accepts only verified recipients and the mailbox simulator', async () => {
    const sandbox = ses('AKIATESTSANDBOX00001');
    const rejected = await failure(sandbox.send(email('sender@acme.test', ['sender@acme.test', 'stranger@example.com'])));
    expect(rejected).toMatchObject({ name: 'MessageRejected', status: 400 });
    expect(rejected.message).toMatch(/failed the check in region US-EAST-1: stranger@example.com$/);
    await sandbox.send(email('sender@acme.test', ['sender@acme.test']));
    await sandbox.send(email('sender@acme.test', ['bounce+label@simulator.amazonses.com']));
    expect(await messages('?accountId=999988887777')).toHaveLength(2);
  });

  it('refuses more than 50 recipients', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.com`);
    expect(await failure(ses().send(email('demo@herald.test', to)))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Recipient count exceeds 50.',
      status: 400,
    });
  });
});
