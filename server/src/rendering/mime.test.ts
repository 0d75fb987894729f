import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { buildRawEmail, type OutgoingEmail } from './mime.js';

/** The same message through nodemailer's whole composer: what a mail client must read back from ours. */
function composed(email: OutgoingEmail): Promise<Buffer> {
  return new MailComposer({
    from: email.from.name ? { name: email.from.name, address: email.from.address } : email.from.address,
    to: email.to,
    ...(email.replyTo ? { replyTo: email.replyTo } : {}),
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.unsubscribeUrl ? { 'List-Unsubscribe': `<${email.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
  })
    .compile()
    .build();
}

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => [v.name, v.address]));
const reading = (m: ParsedMail) => ({
  from: addresses(m.from),
  to: addresses(m.to),
  replyTo: addresses(m.replyTo),
  subject: m.subject,
  listUnsubscribe: m.headers.get('list-unsubscribe') ?? null,
  listUnsubscribePost: m.headers.get('list-unsubscribe-post') ?? null,
  text: m.text,
  html: m.html,
  attachments: m.attachments.length,
});

const base: OutgoingEmail = {
  from: { name: 'Sender News', address: 'news@sender.test' },
  to: 'reader@inbox.test',
  replyTo: 'reply@sender.test',
  subject: 'Autumn news',
  html: '<p>Hi Reader, here is the news.</p>',
  text: 'Hi Reader, here is the news.\n\nUnsubscribe: https://herald.test/u/abc',
  unsubscribeUrl: 'https://herald.test/u/abc.def.ghi',
};

const cases: Record<string, OutgoingEmail> = {
  'a campaign message': base,
  'non-ASCII names, subject and bodies': {
    ...base,
    from: { name: 'Jürgen’s Café — Nachrichten', address: 'news@sender.test' },
    subject: 'Grüße, Jürgen — 你好 🎉',
    html: '<p>Grüße 你好 🎉 “quoted”</p>',
    text: 'Grüße 你好 🎉\r\nzweite Zeile\ndritte\n',
  },
  'a sender name that needs quoting': { ...base, from: { name: 'Acme, "The" Company', address: 'news@sender.test' } },
  'long lines, equals signs, trailing spaces, dots and From at line starts': {
    ...base,
    subject: `A very long subject line ${'that keeps going '.repeat(12)}until it ends`,
    html: `<p style="a=b">${'x'.repeat(2_000)}</p>\n.\nFrom here`,
    text: `${'word '.repeat(400)}\nends with spaces   \n=3D is not an escape\n.\nFrom here\n`,
  },
  'no reply-to and no unsubscribe link (a setup check)': { ...base, replyTo: null, unsubscribeUrl: null, from: { name: null, address: 'setup@sender.test' } },
};

describe('buildRawEmail', () => {
  for (const [name, email] of Object.entries(cases)) {
    it(`reads back like nodemailer's composer: ${name}`, async () => {
      const raw = buildRawEmail(email);
      const ours = reading(await simpleParser(raw));
      expect(ours).toEqual(reading(await simpleParser(await composed(email))));
      expect(ours.subject).toBe(email.subject);
      expect(ours.html).toBe(email.html);
      const wire = raw.toString('utf8');
      // Only CRLF line breaks and 7-bit lines no longer than 78 characters: any MTA takes it as it is.
      expect(wire.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(wire.split('\r\n').every((line) => line.length <= 78)).toBe(true);
      expect(raw.every((byte) => byte < 0x80)).toBe(true);
      expect(wire).toMatch(/^Message-ID: <[0-9a-f-]{36}@sender\.test>$/m);
    });
  }

  it('turns a bare CR into a line break (nodemailer drops it)', async () => {
    const parsed = await simpleParser(buildRawEmail({ ...base, text: 'one\rtwo' }));
    expect(parsed.text).toBe('one\ntwo');
  });

  it('gives every message its own boundary and Message-ID', () => {
    const [a, b] = [buildRawEmail(base).toString(), buildRawEmail(base).toString()];
    const boundary = (s: string) => /boundary="([^"]+)"/.exec(s)?.[1];
    const messageId = (s: string) => /^Message-ID: (.+)$/m.exec(s)?.[1];
    expect(boundary(a)).toBeTruthy();
    expect(boundary(a)).not.toBe(boundary(b));
    expect(messageId(a)).not.toBe(messageId(b));
  });
});
