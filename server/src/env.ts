import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Repository root: two levels above this file in both `src/` and `dist/`. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const onOff = z.enum(['on', 'off']);

/**
 * A retention period: whole days, or `off` to keep the rows forever. Zero is
 * refused rather than guessed at: "keep nothing" and "never delete" are both
 * plausible readings, and the wrong one loses data.
 */
const retentionDays = (name: string, min: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const value = raw.trim().toLowerCase();
      if (value === 'off') return null;
      const wanted = `a whole number of days from ${min} to 36500, or "off" to keep forever`;
      if (/^0+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${name} is 0, which could mean "keep nothing" or "keep forever": set ${wanted}` });
        return z.NEVER;
      }
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > 36_500) {
        ctx.addIssue({ code: 'custom', message: `${name} must be ${wanted} (got "${raw}")` });
        return z.NEVER;
      }
      return Number(value);
    });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'DATABASE_URL must be a postgres:// URL' }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'PUBLIC_URL must be an http(s) URL' }).default('http://localhost:3000'),
  ENCRYPTION_KEYS: z.string().min(1).optional(),
  WORKER: z.enum(['inline', 'off']).default('inline'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  SES_ENDPOINT: z.url().optional(),
  SNS_CERT_URL_ALLOW: z.string().optional(),
  SES_SIMULATOR: onOff.optional(),
  DATA_DIR: z.string().min(1).optional(),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_DIST: z.string().min(1).optional(),
  IMPORT_MAX_MB: z.coerce.number().int().min(1).max(4096).default(256),
  SEND_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(60),
  SES_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  REPUTATION_MIN_SENDS: z.coerce.number().int().min(1).max(1_000_000).default(500),
  SCHEDULE_MIN_LEAD_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  METRICS_TOKEN: z
    .string()
    .min(16, 'METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 32)')
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'METRICS_TOKEN must be printable ASCII without spaces (it is sent in an Authorization header)')
    .optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_TENANT_LABELS: z.coerce.number().int().min(0).max(1000).default(0),
  // At least 7 days: the health panel reads the last 24 hours, a support question about last week's bounce needs
  // its raw event, and the duplicate check of SNS redeliveries is the stored row (a retry of a deleted event
  // would be stored again).
  RETENTION_MESSAGE_EVENTS_DAYS: retentionDays('RETENTION_MESSAGE_EVENTS_DAYS', 7, 90),
  // At least a day: the health panel shows the last 24 hours of refusals.
  RETENTION_WEBHOOK_REFUSALS_DAYS: retentionDays('RETENTION_WEBHOOK_REFUSALS_DAYS', 1, 30),
  RETENTION_IMPORT_FILES_DAYS: retentionDays('RETENTION_IMPORT_FILES_DAYS', 1, 1),
});

export type Env = {
  nodeEnv: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  port: number;
  host: string;
  publicUrl: URL;
  encryptionKeys: string | undefined;
  worker: 'inline' | 'off';
  workerConcurrency: number;
  sesEndpoint: string | undefined;
  snsCertUrlAllow: string[];
  sesSimulator: boolean;
  dataDir: string;
  embeddedPostgresPort: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  webDist: string;
  /** Largest CSV upload accepted, in bytes. */
  importMaxBytes: number;
  /**
   * How long a send may stay claimed before recovery decides its worker died
   * (the message becomes `unknown`, never re-sent); also how long a send job
   * may look busy before it is taken for dead and started again.
   */
  sendLeaseMs: number;
  /** An SES call still unanswered after this is abandoned. */
  sesRequestTimeoutMs: number;
  /** Recent sends a tenant needs before the reputation guard judges its bounce and complaint rates. */
  reputationMinSends: number;
  /** How far ahead a campaign must be scheduled, so the checks and the confirmation come before the start. */
  scheduleMinLeadMs: number;
  /** Bearer token for `GET /metrics`; unset, the route does not exist. Never logged. */
  metricsToken: string | undefined;
  /** Worker-only processes: a listener on this port serving only `/metrics` (they have no HTTP server otherwise). */
  metricsPort: number | undefined;
  /** How many tenant ids may appear as metric label values per process (herald_tenant_sends_total); 0 = none. */
  metricsTenantLabels: number;
  /** Days each kind of data is kept before the retention job deletes it; null keeps it forever. */
  retention: RetentionSettings;
};

export type RetentionSettings = {
  /** Raw SES events (message_events), by the time Herald received them. */
  messageEventsDays: number | null;
  /** Hourly counters of refused webhook deliveries (webhook_refusals). */
  webhookRefusalsDays: number | null;
  /** Uploaded CSV files of imports never started or failed (import_chunks; a never-started upload goes whole). */
  importFilesDays: number | null;
};

export class ConfigError extends Error {}

/** Loads `.env` at the repository root into process.env when present (real env vars win). */
export function loadDotEnvFile(file = path.join(repoRoot, '.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/**
 * Reads and validates configuration. This is the only place that reads
 * `process.env`; everything else receives an `Env`.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings in .env files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const sesSimulator = e.SES_SIMULATOR ? e.SES_SIMULATOR === 'on' : !production && !e.SES_ENDPOINT;
  // A claim must outlive its slowest send (slot wait up to 2 s, then the SES call), or recovery would
  // mark a send `unknown` while its worker is still waiting for SES's answer.
  if (e.SEND_LEASE_SECONDS * 1000 < e.SES_REQUEST_TIMEOUT_MS + 2_000) {
    throw new ConfigError(
      `SEND_LEASE_SECONDS (${e.SEND_LEASE_SECONDS}) must be at least SES_REQUEST_TIMEOUT_MS + 2 s (${Math.ceil((e.SES_REQUEST_TIMEOUT_MS + 2_000) / 1000)} s): a send may take that long.`,
    );
  }
  if (e.METRICS_PORT !== undefined && !e.METRICS_TOKEN) {
    throw new ConfigError('METRICS_PORT needs METRICS_TOKEN: the metrics listener answers only requests bearing that token.');
  }
  if (production) {
    if (!e.DATABASE_URL) throw new ConfigError('DATABASE_URL is required when NODE_ENV=production (the embedded database is for development only).');
    if (!e.ENCRYPTION_KEYS) throw new ConfigError('ENCRYPTION_KEYS is required when NODE_ENV=production (format: keyId:base64key,…).');
    if (sesSimulator) throw new ConfigError('SES_SIMULATOR=on is not allowed when NODE_ENV=production.');
  }
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    publicUrl: new URL(e.PUBLIC_URL),
    encryptionKeys: e.ENCRYPTION_KEYS,
    worker: e.WORKER,
    workerConcurrency: e.WORKER_CONCURRENCY,
    sesEndpoint: e.SES_ENDPOINT,
    snsCertUrlAllow: (e.SNS_CERT_URL_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    sesSimulator,
    dataDir: path.resolve(e.DATA_DIR ?? path.join(repoRoot, '.data')),
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    logLevel: e.LOG_LEVEL,
    webDist: path.resolve(e.WEB_DIST ?? path.join(repoRoot, 'web', 'build')),
    importMaxBytes: e.IMPORT_MAX_MB * 1024 * 1024,
    sendLeaseMs: e.SEND_LEASE_SECONDS * 1000,
    sesRequestTimeoutMs: e.SES_REQUEST_TIMEOUT_MS,
    reputationMinSends: e.REPUTATION_MIN_SENDS,
    scheduleMinLeadMs: e.SCHEDULE_MIN_LEAD_SECONDS * 1000,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    metricsTenantLabels: e.METRICS_TENANT_LABELS,
    retention: {
      messageEventsDays: e.RETENTION_MESSAGE_EVENTS_DAYS,
      webhookRefusalsDays: e.RETENTION_WEBHOOK_REFUSALS_DAYS,
      importFilesDays: e.RETENTION_IMPORT_FILES_DAYS,
    },
  };
}

/**
 * For tests: a Postgres server to create throwaway databases on
 * (TEST_DATABASE_URL, else DATABASE_URL); undefined means "start an embedded one".
 */
export function testDatabaseAdminUrl(source: NodeJS.ProcessEnv = process.env): string | undefined {
  return source.TEST_DATABASE_URL || source.DATABASE_URL || undefined;
}
