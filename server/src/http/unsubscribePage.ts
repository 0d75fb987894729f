/** Minimal, dependency-free HTML for the unsubscribe pages (they are opened from email clients, not the app). */
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f7f9;color:#1f2430;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #e3e6ec;border-radius:12px;padding:32px;max-width:420px;margin:16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
h1{font-size:1.25rem;margin:0 0 12px}p{line-height:1.5;margin:0 0 16px;color:#4a5163}
button{background:#4f46e5;color:#fff;border:0;border-radius:8px;padding:10px 18px;font-size:1rem;cursor:pointer}button:focus{outline:3px solid #a5b4fc}
</style></head><body><main>${body}</main></body></html>`;
}

export function confirmPage(email: string, sender: string | null): string {
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe?</h1><p><strong>${escape(email)}</strong> will no longer receive emails${sender ? ` from ${escape(sender)}` : ''}.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
  );
}

export function donePage(email: string, sender: string | null): string {
  return page('Unsubscribed', `<h1>You are unsubscribed</h1><p><strong>${escape(email)}</strong> will no longer receive emails${sender ? ` from ${escape(sender)}` : ''}.</p>`);
}

export function invalidPage(): string {
  return page('Link not valid', `<h1>This unsubscribe link is not valid</h1><p>It may have been copied incompletely. Use the link in the email you received, or reply to that email to ask to be removed.</p>`);
}

export function gonePage(): string {
  return page('Address not found', `<h1>Nothing to unsubscribe</h1><p>This address is no longer on the sender's list.</p>`);
}
