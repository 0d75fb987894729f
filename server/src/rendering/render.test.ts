import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { compileEmail, renderEmail, validateTemplates } from './render.js';

const contact = { email: 'mia@example.com', firstName: 'Mia', lastName: 'Wong', attributes: { plan: 'pro' } };
const footer = { companyName: 'Acme Inc', postalAddress: 'Main Street 1\n12345 Town', unsubscribeUrl: 'https://herald.test/u/tok.en' };

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('renderEmail', () => {
  it('fills merge tags, attributes (also under contact.) and fallbacks', () => {
    const out = renderEmail(
      { subject: 'Hi {{ first_name }}, your {{ plan }} plan', html: '<p>{{ contact.last_name }} {{ email }} {{ contact.plan }} {{ nickname | default: "friend" }}</p>', text: null },
      contact,
      footer,
    );
    expect(out.subject).toBe('Hi Mia, your pro plan');
    expect(out.html).toContain('<p>Wong mia@example.com pro friend</p>');
    const anonymous = renderEmail({ subject: 'Hi {{ first_name | default: "there" }}', html: '{{ missing }}.', text: null }, { ...contact, firstName: null }, footer);
    expect(anonymous.subject).toBe('Hi there');
    expect(anonymous.html.startsWith('.')).toBe(true);
  });

  it('escapes variables in HTML, not in the subject or text', () => {
    const evil = { ...contact, firstName: '<script>alert(1)</script>' };
    const out = renderEmail({ subject: '{{ first_name }}', html: '<p>{{ first_name }}</p>', text: 'Hello {{ first_name }}' }, evil, footer);
    expect(out.html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(out.html).not.toContain('<script>');
    expect(out.subject).toBe('<script>alert(1)</script>');
    expect(out.text.startsWith('Hello <script>alert(1)</script>')).toBe(true);
  });

  it('keeps the subject on one line whatever an attribute holds', () => {
    const out = renderEmail({ subject: 'Hi {{ plan }}', html: 'x', text: null }, { ...contact, attributes: { plan: 'a\r\nBcc: x@evil.test' } }, footer);
    expect(out.subject).toBe('Hi a Bcc: x@evil.test');
  });

  it('adds the footer with postal address and unsubscribe link to html and text', () => {
    const doc = renderEmail({ subject: 's', html: '<html><body><p>Body</p></body></html>', text: 'Plain body' }, contact, footer);
    expect(doc.html).toMatch(/<p>Body<\/p><div .*Acme Inc<br>Main Street 1<br>12345 Town.*href="https:\/\/herald.test\/u\/tok.en".*<\/div><\/body><\/html>$/);
    expect(doc.text).toBe('Plain body\n\n--\nAcme Inc\nMain Street 1\n12345 Town\nUnsubscribe: https://herald.test/u/tok.en');
    const fragment = renderEmail({ subject: 's', html: '<p>Body</p>', text: null }, contact, { ...footer, companyName: 'A & <B>' });
    expect(fragment.html).toMatch(/^<p>Body<\/p><div .*A &amp; &lt;B&gt;<br>Main Street 1.*<\/div>$/);
  });

  it('generates the text from the HTML when no text is given', () => {
    const out = renderEmail({ subject: 's', html: '<h1>Welcome</h1><p>Hello {{ first_name }}, see <a href="https://acme.test/x">our site</a>.</p>', text: null }, contact, footer);
    expect(out.text).toContain('WELCOME');
    expect(out.text).toContain('Hello Mia, see our site [https://acme.test/x].');
    expect(out.text).not.toContain('<');
    expect(out.text).toMatch(/\n--\nAcme Inc\n.*Unsubscribe: https:\/\/herald.test\/u\/tok.en$/s);
  });

  it('renders many recipients from one compiled template', () => {
    const render = compileEmail({ subject: 'Hi {{ first_name }}', html: '<p>{{ email }}</p>', text: null });
    expect(render(contact, footer).subject).toBe('Hi Mia');
    expect(render({ ...contact, firstName: 'Noor' }, footer).subject).toBe('Hi Noor');
  });
});

describe('validateTemplates', () => {
  it('names the field and the line of a parse error', () => {
    const err = errorOf(() => validateTemplates({ subject: 'ok', html: '<p>\n</p>\n{% if first_name %}', text: null }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^The HTML body has a template error: .*not closed \(line 3\)$/);
    expect(errorOf(() => validateTemplates({ subject: '{{ first_name', html: '', text: null })).message).toMatch(/^The subject has a template error: .*\(line 1\)$/);
    expect(errorOf(() => validateTemplates({ subject: 's', html: 'h', text: 'a\n{{ x | no_such_filter }}' })).message).toBe('The text body has a template error: undefined filter: no_such_filter (line 2)');
  });

  it('refuses tags that read files', () => {
    expect(errorOf(() => validateTemplates({ subject: 's', html: '{% include "/etc/passwd" %}', text: null })).message).toContain('{% include %} tag is not available');
    expect(errorOf(() => validateTemplates({ subject: 's', html: '{% render "x" %}', text: null })).message).toContain('{% render %} tag is not available');
  });

  it('stops a runaway template at render', () => {
    const render = compileEmail({ subject: 's', html: '{% for i in (1..1000000000) %}x{% endfor %}', text: null });
    expect(errorOf(() => render(contact, footer)).message).toMatch(/^The HTML body could not be rendered: /);
  });

  it('renders a megabyte of static HTML', () => {
    const big = `<p>${'x'.repeat(999_000)}</p>`;
    expect(renderEmail({ subject: 's', html: big, text: null }, contact, footer).html.length).toBeGreaterThan(999_000);
  });
});
