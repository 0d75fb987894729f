/** Where a recipient's unsubscribe link points (served by http/unsubscribeRoutes.ts). */
export function unsubscribeUrl(publicUrl: URL, token: string): string {
  return new URL(`/u/${token}`, publicUrl).toString();
}
