import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { parseKeyring } from '../src/crypto/keyring.js';
import { rotateSecrets } from '../src/crypto/rotate.js';
import { decryptSecret, encryptSecret, keyIdOf } from '../src/crypto/secretBox.js';
import { createLogger } from '../src/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

let database: TestDatabase;
let sql: postgres.Sql;
beforeAll(async () => {
  database = await createTestDatabase(inject('adminDatabaseUrl'));
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end();
  await database.drop();
});

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');

it('re-encrypts every stored secret so the old key can be dropped, and is safe to re-run', async () => {
  const oldRing = parseKeyring(`old:${oldKey}`);
  const plain = new Map<string, { id: string; secret: string }>();
  for (let i = 0; i < 7; i++) {
    const [tenant] = await sql`insert into tenants (name) values (${`T${i}`}) returning id`;
    const tenantId = tenant!.id as string;
    const id = `AKIAROTATE${String(i).padStart(10, '0')}`;
    const secret = randomBytes(30).toString('base64');
    const seal = (field: string, value: string) => encryptSecret(oldRing, { tenantId, table: 'tenant_channel_settings', field }, value);
    await sql`insert into tenant_channel_settings (tenant_id, aws_access_key_id, aws_secret_access_key, is_connected)
              values (${tenantId}, ${seal('aws_access_key_id', id)}, ${seal('aws_secret_access_key', secret)}, true)`;
    plain.set(tenantId, { id, secret });
  }
  const rawBefore = JSON.stringify(await sql`select * from tenant_channel_settings`);
  for (const { id, secret } of plain.values()) {
    expect(rawBefore).not.toContain(id);
    expect(rawBefore).not.toContain(secret);
  }

  const rotating = parseKeyring(`new:${newKey},old:${oldKey}`);
  const first = await rotateSecrets(sql, rotating, createLogger('silent'), 3);
  expect(first).toEqual([
    { table: 'tenant_channel_settings', field: 'aws_access_key_id', reencrypted: 7 },
    { table: 'tenant_channel_settings', field: 'aws_secret_access_key', reencrypted: 7 },
  ]);
  const again = await rotateSecrets(sql, rotating, createLogger('silent'), 3);
  expect(again.every((r) => r.reencrypted === 0)).toBe(true);

  const newOnly = parseKeyring(`new:${newKey}`);
  const rows = await sql<{ tenant_id: string; aws_access_key_id: string; aws_secret_access_key: string }[]>`select * from tenant_channel_settings`;
  for (const row of rows) {
    expect(keyIdOf(row.aws_access_key_id)).toBe('new');
    const ctx = (field: string) => ({ tenantId: row.tenant_id, table: 'tenant_channel_settings', field });
    expect(decryptSecret(newOnly, ctx('aws_access_key_id'), row.aws_access_key_id)).toBe(plain.get(row.tenant_id)?.id);
    expect(decryptSecret(newOnly, ctx('aws_secret_access_key'), row.aws_secret_access_key)).toBe(plain.get(row.tenant_id)?.secret);
  }
});
