/**
 * The footer every email carries: who sent it and where they are (CAN-SPAM
 * asks for a postal address) and how to stop receiving mail.
 */
export type Footer = { companyName: string | null; postalAddress: string | null; unsubscribeUrl: string };

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const senderLines = (footer: Footer) => [footer.companyName, ...(footer.postalAddress ?? '').split(/\r?\n/)].map((l) => l?.trim() ?? '').filter(Boolean);

export function footerHtml(footer: Footer): string {
  const sender = senderLines(footer).map(escapeHtml).join('<br>');
  return (
    '<div style="margin-top:32px;padding-top:16px;border-top:1px solid #e5e5e5;color:#6b6b6b;font:12px/1.5 Arial,sans-serif;text-align:center">' +
    (sender ? `<p style="margin:0 0 8px">${sender}</p>` : '') +
    `<p style="margin:0"><a href="${escapeHtml(footer.unsubscribeUrl)}" style="color:#6b6b6b">Unsubscribe</a></p>` +
    '</div>'
  );
}

export function footerText(footer: Footer): string {
  return ['--', ...senderLines(footer), `Unsubscribe: ${footer.unsubscribeUrl}`].join('\n');
}

/** Before the last `</body>` when the HTML is a full document, else at the end. */
export function appendToHtml(html: string, block: string): string {
  let at = -1;
  for (const m of html.matchAll(/<\/body\s*>/gi)) at = m.index;
  return at < 0 ? html + block : html.slice(0, at) + block + html.slice(at);
}
