import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { messageStatusInput } from '../routers/campaignReport.js';
import { recipientPage } from '../services/campaigns/recipients.js';
import type { MessageStatus } from '../services/campaigns/stats.js';
import { loadCampaign } from '../services/campaigns/records.js';
import type { Deps } from '../deps.js';
import { registerRestScope } from './restScope.js';

/** Rows per read: big enough to be quick, small enough that a million recipients never sit in memory. */
const EXPORT_PAGE = 5_000;

const exportQuery = z.object({ status: messageStatusInput.optional() });

/** `Autumn news` → `Autumn_news-failed-recipients.csv` (ASCII), plus the exact name for clients that read filename*. */
function attachment(campaignName: string, status: MessageStatus | undefined): string {
  const base = `${campaignName}${status ? `-${status}` : ''}-recipients.csv`;
  const ascii = base.replace(/[^\w.-]+/g, '_');
  const exact = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * The campaign report's "Export CSV": every recipient with their status,
 * last event and error, streamed as it is read (keyset pages of the same
 * query as the recipients table), so the export of a large campaign starts
 * at once and holds one page in memory.
 */
export function registerCampaignExportRoutes(app: FastifyInstance, deps: Deps): void {
  registerRestScope(app, deps, '/api/campaigns', (scope) => {
    scope.get<{ Params: { id: string } }>('/:id/recipients.csv', async (req, reply) => {
      const id = z.uuid({ error: 'Expected a campaign id (a UUID).' }).parse(req.params.id);
      const { status } = exportQuery.parse(req.query);
      const { row: campaign } = await loadCampaign(deps, req.tenantId, id);
      const tenantId = req.tenantId;

      async function* records() {
        for (let after: string | undefined; ; ) {
          const page = await recipientPage(deps.sql, tenantId, id, { status, after, limit: EXPORT_PAGE });
          for (const r of page.items) yield [r.email, r.status, r.lastEvent?.type ?? '', r.lastEvent?.at ?? '', r.error ?? '', r.sentAt ?? ''];
          if (!page.nextCursor) return;
          after = page.nextCursor;
        }
      }
      // Spreadsheets run cells starting with = + - @ as formulas: such cells get a leading '.
      const csv = stringify({ header: true, columns: ['email', 'status', 'last_event', 'last_event_at', 'error', 'sent_at'], escape_formulas: true });
      // A failed read destroys csv with the error, which Fastify reports (a 500 before the first row,
      // a logged, cut-short download after); a client that goes away destroys csv, which stops the reads.
      pipeline(Readable.from(records()), csv, () => {});
      return reply.type('text/csv; charset=utf-8').header('content-disposition', attachment(campaign.name, status)).send(csv);
    });
  });
}
