import { beforeAll, describe, expect, it } from 'vitest';
import { renderTemplateForSend } from '../src/services/templates/renderForSend.js';
import { agent, signedUpAgent, type Agent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald();
let owner: Agent;
let tenantId: string;
let apiKey: Agent;
beforeAll(async () => {
  const signedUp = await signedUpAgent(h.herald.url, 'Templates');
  owner = signedUp.agent;
  tenantId = signedUp.account.tenant.id;
  const key = await owner.trpc.apiKeys.create.mutate({ name: 'templates test' });
  apiKey = agent(h.herald.url, { bearer: key.key, origin: null });
});

let counter = 0;
const welcome = () => ({
  name: `Welcome ${++counter}`,
  description: 'Sent after sign-up',
  subject: 'Welcome, {{ first_name }}',
  html: '<p>Hi {{ first_name }}, <a href="{{ reset_url }}">set your password</a>.</p>',
  variables: [
    { name: 'first_name', required: true, sample: 'Alex' },
    { name: 'reset_url', required: true, sample: 'https://example.com/reset' },
    { name: 'plan', required: false },
  ],
});

const forSend = (templateId: string, variables: Record<string, unknown>, tenant = tenantId) => renderTemplateForSend(h.herald.deps, tenant, templateId, variables);

describe('templates: create, update with versions, get, delete', () => {
  it('creates version 1 and adds a version for each content change, keeping the old ones readable', async () => {
    const created = await owner.trpc.templates.create.mutate(welcome());
    expect(created).toMatchObject({ name: expect.stringMatching(/^Welcome/), description: 'Sent after sign-up', currentVersion: 1, version: 1, text: null });
    expect(created.versions).toEqual([{ version: 1, createdAt: expect.stringMatching(/Z$/) }]);

    const v2 = await owner.trpc.templates.update.mutate({ id: created.id, subject: 'Hello {{ first_name }}', text: 'Hi {{ first_name }}' });
    expect(v2).toMatchObject({ currentVersion: 2, version: 2, subject: 'Hello {{ first_name }}', text: 'Hi {{ first_name }}', html: created.html });
    const v3 = await owner.trpc.templates.update.mutate({ id: created.id, variables: [{ name: 'first_name', required: false }] });
    expect(v3.versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(v3.variables).toEqual([{ name: 'first_name', required: false }]);

    // Renaming, or saving the same content again, is no new version.
    const renamed = await owner.trpc.templates.update.mutate({ id: created.id, name: 'Renamed welcome', description: null, subject: 'Hello {{ first_name }}' });
    expect(renamed).toMatchObject({ name: 'Renamed welcome', description: null, currentVersion: 3 });

    expect(await owner.trpc.templates.get.query({ id: created.id, version: 1 })).toMatchObject({ version: 1, currentVersion: 3, subject: 'Welcome, {{ first_name }}', text: null, variables: welcome().variables });
    expect((await owner.trpc.templates.get.query({ id: created.id })).version).toBe(3);
    await expect(owner.trpc.templates.get.query({ id: created.id, version: 9 })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' }, message: 'This template has no version 9.' });
  });

  it('refuses a second template with the same name, in any case', async () => {
    const first = await owner.trpc.templates.create.mutate(welcome());
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), name: first.name.toUpperCase() })).rejects.toMatchObject({ data: { code: 'CONFLICT' }, message: `You already have a template called "${first.name.toUpperCase()}".` });
    const second = await owner.trpc.templates.create.mutate(welcome());
    await expect(owner.trpc.templates.update.mutate({ id: second.id, name: first.name })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
  });

  it('deletes for good; emails sent from it keep their row with no template', async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    const [email] = await h.herald.deps.sql<{ id: string }[]>`
      insert into emails (tenant_id, from_address, subject, raw_size, template_id, template_version)
      values (${tenantId}, 'app@templates.test', 'Welcome', 10, ${id}, 1) returning id`;
    expect(await owner.trpc.templates.delete.mutate({ id })).toEqual({ ok: true });
    await expect(owner.trpc.templates.get.query({ id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' }, message: 'No template with this id.' });
    await expect(owner.trpc.templates.delete.mutate({ id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    const rows = await h.herald.deps.sql`select template_id, template_version from emails where id = ${email!.id}`;
    expect(rows).toEqual([{ template_id: null, template_version: 1 }]);
    expect(await h.herald.deps.sql`select 1 from template_versions where template_id = ${id}`).toHaveLength(0);
  });

  it('works with an API key as with a session', async () => {
    const made = await apiKey.trpc.templates.create.mutate({ ...welcome(), html: null, text: 'Hi {{ first_name }}' });
    expect((await owner.trpc.templates.get.query({ id: made.id })).text).toBe('Hi {{ first_name }}');
    expect(await apiKey.trpc.templates.preview.mutate({ id: made.id, variables: { first_name: 'Kim' } })).toMatchObject({ html: null, text: 'Hi Kim' });
  });
});

describe('templates.list', () => {
  it('pages newest-updated first with a keyset cursor, and searches by name', async () => {
    const other = (await signedUpAgent(h.herald.url, 'Lister')).agent;
    const ids: string[] = [];
    for (const name of ['Order shipped', 'Order paid', 'Password reset', 'Invoice 50%_off', 'Receipt']) {
      ids.push((await other.trpc.templates.create.mutate({ name, subject: name, html: `<p>${name}</p>` })).id);
    }
    // An update moves a template to the top.
    await other.trpc.templates.update.mutate({ id: ids[0]!, description: 'touched' });
    const expected = [ids[0], ids[4], ids[3], ids[2], ids[1]];

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await other.trpc.templates.list.query({ limit: 2, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);

    const all = await other.trpc.templates.list.query();
    expect(all.items[0]).toMatchObject({ name: 'Order shipped', description: 'touched', subject: 'Order shipped', currentVersion: 1 });
    expect(all.items[0]).not.toHaveProperty('html');
    expect(all.nextCursor).toBeNull();

    expect((await other.trpc.templates.list.query({ search: 'ORDER' })).items.map((t) => t.name)).toEqual(['Order shipped', 'Order paid']);
    expect((await other.trpc.templates.list.query({ search: 'reset' })).items.map((t) => t.name)).toEqual(['Password reset']);
    // The search's own wildcards are text.
    expect((await other.trpc.templates.list.query({ search: '50%_' })).items.map((t) => t.name)).toEqual(['Invoice 50%_off']);
    expect((await other.trpc.templates.list.query({ search: '%' })).items.map((t) => t.name)).toEqual(['Invoice 50%_off']);

    await expect(other.trpc.templates.list.query({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', details: { fieldErrors: { cursor: expect.any(String) } } } });
  });
});

describe('templates.preview', () => {
  it('renders a saved template with the given variables, samples filling the rest', async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    const preview = await owner.trpc.templates.preview.mutate({ id, variables: { first_name: '<Jo>' } });
    expect(preview).toEqual({
      version: 1,
      subject: 'Welcome, <Jo>',
      html: '<p>Hi &lt;Jo&gt;, <a href="https://example.com/reset">set your password</a>.</p>',
      text: expect.stringContaining('Hi <Jo>, set your password [https://example.com/reset].'),
      missingVariables: [],
      problem: null,
    });
    await owner.trpc.templates.update.mutate({ id, subject: 'New {{ first_name }}' });
    expect((await owner.trpc.templates.preview.mutate({ id, version: 1, variables: {} })).subject).toBe('Welcome, Alex');
    expect((await owner.trpc.templates.preview.mutate({ id, variables: {} })).subject).toBe('New Alex');
  });

  it('names required variables that have no value, even without samples', async () => {
    const { id } = await owner.trpc.templates.create.mutate({ ...welcome(), variables: [{ name: 'first_name', required: true }] });
    expect(await owner.trpc.templates.preview.mutate({ id, variables: {} })).toMatchObject({ subject: 'Welcome,', missingVariables: ['first_name'] });
  });

  it('renders unsaved content, nested values and filters', async () => {
    const preview = await owner.trpc.templates.preview.mutate({
      subject: 'Order {{ order.number }}',
      html: '<p>{{ order.items | size }} items, total {{ order.total | default: "unknown" }}</p>',
      text: 'Total: {{ order.total }}',
      variables: { order: { number: 42, items: ['a', 'b'], total: '9.90 €' } },
    });
    expect(preview).toEqual({ subject: 'Order 42', html: '<p>2 items, total 9.90 €</p>', text: 'Total: 9.90 €', version: null, missingVariables: [], problem: null });
  });

  it('answers unsaved content that does not parse with the problem, naming the field (an editor mid-typing is no error)', async () => {
    expect(await owner.trpc.templates.preview.mutate({ subject: 'Hi', html: '{% if x %}', variables: {} })).toEqual({
      subject: '',
      html: null,
      text: null,
      version: null,
      missingVariables: [],
      problem: { message: expect.stringMatching(/^The HTML body has a template error: /), fieldErrors: { html: expect.stringMatching(/^The HTML body has a template error: /) } },
    });
  });
});

describe('renderTemplateForSend', () => {
  it('renders the current version with the caller variables and records the version', async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    await owner.trpc.templates.update.mutate({ id, text: 'Plain {{ first_name }}: {{ reset_url }}' });
    const rendered = await forSend(id, { first_name: 'Sam', reset_url: 'https://app.test/r?t=1&u=2', plan: 'Pro' });
    expect(rendered).toEqual({
      templateId: id,
      version: 2,
      subject: 'Welcome, Sam',
      html: '<p>Hi Sam, <a href="https://app.test/r?t=1&amp;u=2">set your password</a>.</p>',
      text: 'Plain Sam: https://app.test/r?t=1&u=2',
    });
  });

  it('derives the text part from the HTML when the template has none', async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    const rendered = await forSend(id, { first_name: 'Sam', reset_url: 'https://app.test/r' });
    expect(rendered.text).toBe('Hi Sam, set your password [https://app.test/r].');
  });

  it('refuses missing or blank required variables, naming each (samples do not count)', async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    await expect(forSend(id, { first_name: '  ', plan: 'Pro' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Missing template variables: first_name, reset_url.',
      details: { fieldErrors: { 'variables.first_name': 'Required by the template.', 'variables.reset_url': 'Required by the template.' } },
    });
    await expect(forSend(id, { first_name: null, reset_url: 'x' })).rejects.toMatchObject({ message: 'Missing template variables: first_name.' });
    // Optional ones may be left out.
    await expect(forSend(id, { first_name: 0, reset_url: 'x' })).resolves.toMatchObject({ subject: 'Welcome, 0' });
  });

  it("answers NOT_FOUND for an unknown id, a malformed one and another tenant's template", async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    const other = await signedUpAgent(h.herald.url, 'Stranger');
    for (const attempt of [() => forSend(id, {}, other.account.tenant.id), () => forSend('8f4a5c3e-0000-4000-8000-000000000000', {}), () => forSend('not-a-uuid', {})]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No template with this id.' });
    }
  });

  it('keeps the subject one line and refuses output over the limits', async () => {
    const { id } = await owner.trpc.templates.create.mutate({ name: `Limits ${++counter}`, subject: 'Hi {{ name }}', html: '<p>{{ body }}</p>' });
    expect((await forSend(id, { name: 'a\r\nBcc: x@evil.test', body: '' })).subject).toBe('Hi a Bcc: x@evil.test');
    await expect(forSend(id, { name: 'x'.repeat(1000), body: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { fieldErrors: { subject: expect.stringContaining('998') } } });
    await expect(forSend(id, { name: 'x', body: 'é'.repeat(1_100_000) })).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { fieldErrors: { html: 'The HTML body is larger than 2 MB once rendered.' } } });
  });
});

describe('bad input', () => {
  it('refuses liquid that does not parse, naming the field and line, and saves nothing', async () => {
    const name = `Broken ${++counter}`;
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), name, html: '<p>\n{% if first_name %}\n</p>' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', details: { field: 'html', fieldErrors: { html: expect.stringMatching(/^The HTML body has a template error: .*\(line 2\)$/) } } },
    });
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), name, subject: 'Hi {{ first_name | nope }}' })).rejects.toMatchObject({
      message: 'The subject has a template error: undefined filter: nope (line 1)',
      data: { details: { fieldErrors: { subject: 'The subject has a template error: undefined filter: nope (line 1)' } } },
    });
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), name, text: '{% include "secrets" %}' })).rejects.toMatchObject({ data: { details: { fieldErrors: { text: expect.stringContaining('not available') } } } });
    expect((await owner.trpc.templates.list.query({ search: name })).items).toEqual([]);

    const { id } = await owner.trpc.templates.create.mutate(welcome());
    const before = await owner.trpc.templates.get.query({ id });
    await expect(owner.trpc.templates.update.mutate({ id, name: 'Changed', text: '{{ x ' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', details: { fieldErrors: { text: expect.any(String) } } } });
    expect(await owner.trpc.templates.get.query({ id })).toEqual(before);
  });

  it('needs a body', async () => {
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), html: '  ', text: null })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', details: { fieldErrors: { html: 'Give the template an HTML body, a text body or both.' } } },
    });
  });

  it('checks declared variables: identifiers, unique, at most 100', async () => {
    const attempt = (variables: { name: string; required: boolean }[]) => owner.trpc.templates.create.mutate({ ...welcome(), variables });
    await expect(attempt([{ name: 'first-name', required: true }])).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { 'variables.0.name': expect.stringContaining('letters, digits and _') } } });
    await expect(attempt([{ name: '1st', required: true }])).rejects.toMatchObject({ data: { fieldErrors: { 'variables.0.name': expect.any(String) } } });
    await expect(attempt([{ name: 'a', required: true }, { name: 'a', required: false }])).rejects.toMatchObject({ data: { fieldErrors: { 'variables.1.name': 'The variable a is declared twice.' } } });
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `v${i}`, required: false }));
    await expect(attempt(many)).rejects.toMatchObject({ data: { fieldErrors: { variables: 'A template declares at most 100 variables.' } } });
    await expect(attempt(many.slice(0, 100))).resolves.toMatchObject({ variables: expect.arrayContaining([{ name: 'v99', required: false }]) });
  });

  it('refuses oversize and malformed fields with clear messages', async () => {
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), html: 'x'.repeat(2 * 1024 * 1024 + 1) })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { html: 'The HTML body is too large: at most 2 MB.' } } });
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), subject: 'x'.repeat(999) })).rejects.toMatchObject({ data: { fieldErrors: { subject: 'A subject has at most 998 characters.' } } });
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), subject: 'a\r\nBcc: x@evil.test' })).rejects.toMatchObject({ data: { fieldErrors: { subject: 'A subject must be a single line.' } } });
    await expect(owner.trpc.templates.create.mutate({ ...welcome(), name: ' ' })).rejects.toMatchObject({ data: { fieldErrors: { name: 'Enter a template name.' } } });
    await expect(owner.trpc.templates.preview.mutate({ variables: {} } as never)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: 'Give a template id, or a subject and a body, to preview.' });
    await expect(owner.trpc.templates.get.query({ id: 'nope' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { id: 'Expected an id (a UUID).' } } });
  });
});

describe('another tenant', () => {
  it("cannot get, update, delete or preview this tenant's template, with a session or an API key, nor see it listed", async () => {
    const { id } = await owner.trpc.templates.create.mutate(welcome());
    const before = await owner.trpc.templates.get.query({ id });
    const stranger = await signedUpAgent(h.herald.url, 'Intruder');
    const strangerKey = agent(h.herald.url, { bearer: (await stranger.agent.trpc.apiKeys.create.mutate({ name: 'k' })).key, origin: null });
    for (const b of [stranger.agent, strangerKey]) {
      const attempts = [
        () => b.trpc.templates.get.query({ id }),
        () => b.trpc.templates.update.mutate({ id, subject: 'Hacked' }),
        () => b.trpc.templates.delete.mutate({ id }),
        () => b.trpc.templates.preview.mutate({ id, variables: {} }),
      ];
      for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ data: { code: 'NOT_FOUND' }, message: 'No template with this id.' });
      expect((await b.trpc.templates.list.query({ search: before.name })).items).toEqual([]);
    }
    // Names are unique per tenant only.
    await expect(strangerKey.trpc.templates.create.mutate({ ...welcome(), name: before.name })).resolves.toMatchObject({ version: 1 });
    expect(await owner.trpc.templates.get.query({ id })).toEqual(before);
  });
});
