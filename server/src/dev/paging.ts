import type { AwsQueryError } from './awsErrors.js';

/**
 * One page of `items` after the opaque `token` (AWS's NextToken; here the offset, base64), and the
 * token of the next page when there is one. `invalid` is the service's error for a token it never gave.
 */
export function pageOf<T>(items: T[], token: string | undefined, size: number, invalid: () => AwsQueryError): { page: T[]; nextToken?: string } {
  const offset = token === undefined ? 0 : decode(token);
  if (offset === undefined) throw invalid();
  const page = items.slice(offset, offset + size);
  const next = offset + page.length;
  return next < items.length ? { page, nextToken: Buffer.from(`offset:${next}`).toString('base64') } : { page };
}

function decode(token: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
