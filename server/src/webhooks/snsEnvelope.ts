import { z } from 'zod';

/**
 * The JSON body of an Amazon SNS HTTP(S) delivery. Field names and the
 * all-strings shape are SNS's; unknown fields are tolerated (SNS may add
 * some). Sizes are capped well above anything SNS sends (a message is at
 * most 256 KB) so nothing absurd reaches the signature check.
 */
const shared = {
  MessageId: z.string().min(1).max(128),
  TopicArn: z.string().min(1).max(512),
  Message: z.string().max(300 * 1024),
  Timestamp: z.iso.datetime({ offset: true }),
  SignatureVersion: z.string().max(8),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().min(1).max(2048),
};

export const notificationSchema = z.looseObject({
  Type: z.literal('Notification'),
  ...shared,
  Subject: z.string().max(512).optional(),
  UnsubscribeURL: z.string().max(2048).optional(),
});

export const confirmationSchema = z.looseObject({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  ...shared,
  Token: z.string().min(1).max(2048),
  SubscribeURL: z.string().min(1).max(2048),
});

export const snsEnvelopeSchema = z.discriminatedUnion('Type', [notificationSchema, confirmationSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation' : undefined),
});

export type SnsNotification = z.infer<typeof notificationSchema>;
export type SnsConfirmation = z.infer<typeof confirmationSchema>;
export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;
