import { defineConfig } from 'drizzle-kit';

// Only `generate` is used: migrations are applied by Herald itself at boot (src/db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: '../drizzle',
});
