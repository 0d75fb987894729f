/**
 * What the AWS SDK throws. Service errors carry `$fault`, `$metadata` and the
 * AWS error code as `name`; network errors carry Node's `code` (ECONNRESET…).
 */
export type SdkError = Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string };

export function asSdkError(raw: unknown): SdkError {
  return (raw instanceof Error ? raw : new Error(String(raw))) as SdkError;
}
