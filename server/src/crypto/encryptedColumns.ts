/**
 * Every column that holds a secretBox ciphertext, so that key rotation finds
 * them all. A new encrypted column must be listed here.
 */
export const encryptedColumns = [
  { table: 'tenant_channel_settings', fields: ['aws_access_key_id', 'aws_secret_access_key'] },
] as const;
