import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger.js';
import { encryptedColumns } from './encryptedColumns.js';
import type { Keyring } from './keyring.js';
import { decryptSecret, encryptSecret, keyIdOf } from './secretBox.js';

export type RotationResult = { table: string; field: string; reencrypted: number }[];

/**
 * Re-encrypts every stored secret that is not under the active key, in
 * batches. Each update only applies if the value is still the one read, so it
 * is safe next to live traffic and safe to re-run; once it reports nothing
 * left, the old key can be removed from ENCRYPTION_KEYS.
 */
export async function rotateSecrets(sql: Sql, keyring: Keyring, logger: Logger, batchSize = 500): Promise<RotationResult> {
  const result: RotationResult = [];
  for (const { table, fields } of encryptedColumns) {
    for (const field of fields) {
      let reencrypted = 0;
      for (;;) {
        const rows = await sql<{ id: string; tenant_id: string; value: string }[]>`
          select id, tenant_id, ${sql(field)} as value from ${sql(table)}
          where ${sql(field)} is not null and split_part(${sql(field)}, '.', 2) <> ${keyring.active.id}
          order by id limit ${batchSize}`;
        if (rows.length === 0) break;
        await sql.begin(async (tx) => {
          for (const row of rows) {
            const ctx = { tenantId: row.tenant_id, table, field };
            const fresh = encryptSecret(keyring, ctx, decryptSecret(keyring, ctx, row.value));
            await tx`update ${tx(table)} set ${tx(field)} = ${fresh} where id = ${row.id} and ${tx(field)} = ${row.value}`;
          }
        });
        reencrypted += rows.length;
        logger.info({ table, field, reencrypted, from: [...new Set(rows.map((r) => keyIdOf(r.value)))] }, 'secrets re-encrypted');
      }
      result.push({ table, field, reencrypted });
    }
  }
  return result;
}
