import { vi } from 'vitest';
import type { Agent } from './agent.js';

export type Uploaded = { id: string; columns: string[]; hasHeader: boolean; delimiter: string; preview: string[][]; suggestedMapping: { email: string | null; firstName: string | null; lastName: string | null; attributes: Record<string, string> } };

/** Uploads a file the way the import wizard does: the raw bytes as the request body. */
export async function upload(baseUrl: string, who: Agent, content: string | Buffer, fileName = 'contacts.csv'): Promise<{ status: number; body: Uploaded & { error?: { message: string } } }> {
  const res = await fetch(`${baseUrl}/api/contacts/imports?fileName=${encodeURIComponent(fileName)}`, {
    method: 'POST',
    headers: { cookie: who.cookie ?? '', origin: baseUrl, 'content-type': 'text/csv' },
    body: content,
  });
  return { status: res.status, body: (await res.json()) as Uploaded & { error?: { message: string } } };
}

/** Uploads, starts with the suggested mapping (or the given one) and waits for the end. */
export async function importCsv(
  baseUrl: string,
  who: Agent,
  content: string | Buffer,
  opts: { listId?: string; onExisting?: 'update' | 'skip'; mapping?: Uploaded['suggestedMapping'] } = {},
) {
  const uploaded = await upload(baseUrl, who, content);
  if (uploaded.status !== 200) throw new Error(`upload failed: ${JSON.stringify(uploaded.body)}`);
  const m = opts.mapping ?? uploaded.body.suggestedMapping;
  await who.trpc.contacts.importStart.mutate({
    id: uploaded.body.id,
    mapping: { email: m.email ?? '', firstName: m.firstName ?? undefined, lastName: m.lastName ?? undefined, attributes: m.attributes },
    listId: opts.listId,
    onExisting: opts.onExisting ?? 'skip',
  });
  return waitForImport(who, uploaded.body.id);
}

export async function waitForImport(who: Agent, id: string) {
  return vi.waitFor(
    async () => {
      const status = await who.trpc.contacts.importStatus.query({ id });
      if (status.status !== 'done' && status.status !== 'failed') throw new Error(`still ${status.status}`);
      return status;
    },
    { timeout: 60_000, interval: 100 },
  );
}

export async function errorReport(baseUrl: string, who: Agent, url: string): Promise<string> {
  const res = await fetch(`${baseUrl}${url}`, { headers: { cookie: who.cookie ?? '' } });
  if (res.status !== 200) throw new Error(`error report: HTTP ${res.status}`);
  return res.text();
}
