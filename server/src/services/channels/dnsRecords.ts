export type DnsRecord = { purpose: 'verification' | 'dkim' | 'spf' | 'dmarc'; type: 'TXT' | 'CNAME'; name: string; value: string; required: boolean };

/**
 * What a domain's owner publishes for SES: the verification TXT and the
 * three Easy DKIM CNAMEs (required), plus SPF and DMARC (recommended: with
 * SES's default MAIL FROM, DMARC passes through DKIM alignment; SPF covers
 * a custom MAIL FROM on the domain).
 */
export function domainDnsRecords(domain: string, verificationToken: string | null, dkimTokens: string[]): DnsRecord[] {
  const records: DnsRecord[] = [];
  if (verificationToken) records.push({ purpose: 'verification', type: 'TXT', name: `_amazonses.${domain}`, value: verificationToken, required: true });
  for (const token of dkimTokens) {
    records.push({ purpose: 'dkim', type: 'CNAME', name: `${token}._domainkey.${domain}`, value: `${token}.dkim.amazonses.com`, required: true });
  }
  records.push({ purpose: 'spf', type: 'TXT', name: domain, value: 'v=spf1 include:amazonses.com ~all', required: false });
  records.push({ purpose: 'dmarc', type: 'TXT', name: `_dmarc.${domain}`, value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}`, required: false });
  return records;
}
