/** Why a campaign cannot be sent now, with where in the app the tenant fixes it. */
export type SendProblemCode = 'NOT_DRAFT' | 'REPUTATION_PAUSED' | 'NO_CHANNEL' | 'NO_POSTAL_ADDRESS' | 'SENDER_NOT_VERIFIED' | 'SES_CHECK_FAILED' | 'NO_AUDIENCE' | 'EMPTY_AUDIENCE';
export type SendProblem = { code: SendProblemCode; message: string; fixPath: string | null };
