import { z } from 'zod';

/** SES verification statuses, as GetIdentityVerificationAttributes reports them. */
export const verificationStatuses = ['Pending', 'Success', 'Failed', 'TemporaryFailure', 'NotStarted'] as const;
export type VerificationStatus = (typeof verificationStatuses)[number];

/** Failures a test or demo can inject into one access key. */
const failuresSchema = z.strictObject({
  /** The key is answered as unknown (InvalidClientTokenId), as after it was deleted in IAM. */
  invalidKey: z.boolean().default(false),
  /** Action names (e.g. `GetSendQuota`) this IAM user may not call: answered with AccessDenied, 403. */
  accessDenied: z.array(z.string().min(1)).default(() => []),
  /** Every call is answered with Throttling, 400. */
  throttleAll: z.boolean().default(false),
  /** Every call fails with InternalFailure (500) or ServiceUnavailable (503). */
  serverError: z.union([z.literal(500), z.literal(503)]).nullable().default(null),
  /** Delay before answering any call of this key, in milliseconds. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Sending is paused for the account: SendEmail/SendRawEmail → AccountSendingPausedException. */
  accountPaused: z.boolean().default(false),
  /**
   * Errors for the next sends, one per SendEmail/SendRawEmail call, in order (each is used once):
   * e.g. `{ code: 'MailFromDomainNotVerifiedException', message: '…', status: 400 }`.
   */
  sendErrors: z
    .array(z.strictObject({ code: z.string().regex(/^[A-Za-z]{1,100}$/), message: z.string().max(1000), status: z.number().int().min(400).max(599) }))
    .max(10_000)
    .default(() => []),
  /** Sends to these addresses are refused with MessageRejected ("Illegal address"), like SES does for a malformed one. */
  rejectRecipients: z.array(z.string().min(1)).default(() => []),
  /** Accepted (and recorded) sends are answered only after this many milliseconds: the caller may time out after SES took the message. */
  stallAfterAcceptMs: z.number().int().min(0).max(600_000).default(0),
});

const accountFields = {
  secretAccessKey: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/, 'accountId must be 12 digits'),
  /** IAM user the key belongs to; it names the caller in ARNs and AccessDenied messages. */
  userName: z.string().regex(/^[\w+=,.@-]{1,64}$/).default('herald-sim'),
  /** Email addresses and domains with their verification status (in every region). */
  identities: z
    .array(z.strictObject({ identity: z.string().min(1), status: z.enum(verificationStatuses) }))
    .default(() => []),
  /**
   * Identities added through VerifyEmailIdentity/VerifyDomainIdentity/VerifyDomainDkim stay Pending this
   * long on the simulator clock, then read as Success (DKIM too): checked when asked, so no timers run.
   */
  identityVerificationDelayMs: z.number().int().min(0).default(3_000),
  /** Accepted recipients per sliding second. */
  maxSendRate: z.number().positive().default(14),
  /** Accepted recipients per 24 hours; -1 means unlimited, as SES reports it. */
  max24HourSend: z.number().min(-1).default(50_000),
  /** In the sandbox, recipients must be verified too. */
  sandbox: z.boolean().default(false),
  /**
   * SES applies an identity's default configuration set to sends that name none. The demo account has one,
   * so a newcomer's campaign gets the full event stream (Send, Delivery, Open, Click) without setting it up.
   */
  defaultConfigurationSet: z.string().regex(/^[\w-]{1,64}$/).nullable().default(null),
  failures: failuresSchema.prefault({}),
};

/** The body of `PUT /_simulator/accounts/:accessKeyId` (the key comes from the path). */
export const simAccountBodySchema = z.strictObject(accountFields);

export const simAccountSchema = z.strictObject({
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'accessKeyId must be 16-128 upper-case letters or digits'),
  ...accountFields,
});

/** One access key and the SES account behind it, as given (defaults not yet applied). */
export type SimAccountInput = z.input<typeof simAccountSchema>;
/** One access key and the SES account behind it. */
export type SimAccount = z.output<typeof simAccountSchema>;
/** An email address or domain with its verification status. */
export type SimIdentity = SimAccount['identities'][number];

export const DEMO_SECRET_ACCESS_KEY = 'herald-demo-secret-key-do-not-use-in-aws';
export const DEMO_ACCESS_KEY_ID = 'AKIAHERALDDEMO000001';
export const SANDBOX_ACCESS_KEY_ID = 'AKIAHERALDSANDBOX001';
export const NO_QUOTA_ACCESS_KEY_ID = 'AKIAHERALDNOQUOTA001';
export const NO_IDENTITIES_ACCESS_KEY_ID = 'AKIAHERALDNOIDENT001';
export const DEMO_ACCOUNT_ID = '111122223333';
export const SANDBOX_ACCOUNT_ID = '444455556666';

const demoIdentities: SimAccount['identities'] = [
  { identity: 'demo@herald.test', status: 'Success' },
  { identity: 'herald.test', status: 'Success' },
  { identity: 'pending@herald.test', status: 'Pending' },
];

/**
 * Keys that work out of the box (documented in README.md). The two restricted keys are further
 * IAM users of the demo account, so they share its identities and quota like real IAM users do.
 */
export function presetAccounts(): SimAccount[] {
  const preset = (input: Omit<SimAccountInput, 'secretAccessKey' | 'accountId'> & { accountId?: string }) =>
    simAccountSchema.parse({ accountId: DEMO_ACCOUNT_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY, ...input });
  return [
    preset({ accessKeyId: DEMO_ACCESS_KEY_ID, userName: 'herald-demo', identities: demoIdentities, defaultConfigurationSet: 'herald-demo-events' }),
    preset({
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      accountId: SANDBOX_ACCOUNT_ID,
      userName: 'herald-sandbox',
      identities: [
        { identity: 'sandbox@herald.test', status: 'Success' },
        { identity: 'tester@example.com', status: 'Success' },
      ],
      maxSendRate: 1,
      max24HourSend: 200,
      sandbox: true,
    }),
    preset({
      accessKeyId: NO_QUOTA_ACCESS_KEY_ID,
      userName: 'herald-no-quota',
      identities: demoIdentities,
      failures: { accessDenied: ['GetSendQuota'] },
    }),
    preset({
      accessKeyId: NO_IDENTITIES_ACCESS_KEY_ID,
      userName: 'herald-no-identities',
      identities: demoIdentities,
      failures: { accessDenied: ['ListIdentities'] },
    }),
  ];
}
