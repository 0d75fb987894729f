import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env.js';

describe('loadEnv', () => {
  it('gives a working development setup with nothing configured', () => {
    const env = loadEnv({});
    expect(env.nodeEnv).toBe('development');
    expect(env.databaseUrl).toBeUndefined();
    expect(env.port).toBe(3000);
    expect(env.host).toBe('127.0.0.1');
    expect(env.publicUrl.origin).toBe('http://localhost:3000');
    expect(env.worker).toBe('inline');
    expect(env.sesSimulator).toBe(true);
    expect(env.dataDir).toMatch(/\.data$/);
  });

  it('treats empty strings as unset, as a copied .env.example leaves them', () => {
    expect(loadEnv({ DATABASE_URL: '', PORT: '' }).port).toBe(3000);
  });

  it('turns the simulator off when a real SES endpoint is configured', () => {
    expect(loadEnv({ SES_ENDPOINT: 'http://127.0.0.1:4579' }).sesSimulator).toBe(false);
  });

  it('refuses a send lease shorter than a send may take', () => {
    expect(() => loadEnv({ SEND_LEASE_SECONDS: '10' })).toThrow(/SEND_LEASE_SECONDS \(10\) must be at least SES_REQUEST_TIMEOUT_MS \+ 2 s \(17 s\)/);
    expect(loadEnv({ SEND_LEASE_SECONDS: '5', SES_REQUEST_TIMEOUT_MS: '3000' })).toMatchObject({ sendLeaseMs: 5000, sesRequestTimeoutMs: 3000 });
  });

  it("takes the reputation guard's minimum sample from REPUTATION_MIN_SENDS", () => {
    expect(loadEnv({}).reputationMinSends).toBe(500);
    expect(loadEnv({ REPUTATION_MIN_SENDS: '20' }).reputationMinSends).toBe(20);
  });

  it('reads METRICS_TOKEN and METRICS_PORT, refusing a short token or a port without a token, and never echoing the token', () => {
    expect(loadEnv({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
    expect(loadEnv({ METRICS_TOKEN: 'a'.repeat(32), METRICS_PORT: '9464' })).toMatchObject({ metricsToken: 'a'.repeat(32), metricsPort: 9464 });
    expect(() => loadEnv({ METRICS_TOKEN: 'short-secret' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(() => loadEnv({ METRICS_TOKEN: 'has a space in the middle' })).toThrow(ConfigError);
    expect(() => loadEnv({ METRICS_TOKEN: 'has a space in the middle' })).not.toThrow(/has a space/);
    expect(() => loadEnv({ METRICS_PORT: '9464' })).toThrow(/METRICS_PORT needs METRICS_TOKEN/);
    expect(loadEnv({}).metricsTenantLabels).toBe(0);
    expect(loadEnv({ METRICS_TENANT_LABELS: '50' }).metricsTenantLabels).toBe(50);
    expect(() => loadEnv({ METRICS_TENANT_LABELS: '5000' })).toThrow(ConfigError);
  });

  it('splits the SNS certificate allow-list', () => {
    expect(loadEnv({ SNS_CERT_URL_ALLOW: 'http://127.0.0.1:1/ , http://localhost:2/' }).snsCertUrlAllow).toEqual(['http://127.0.0.1:1/', 'http://localhost:2/']);
  });

  it('keeps message events 90 days, webhook refusals 30 and import files 1 unless told otherwise; "off" keeps forever', () => {
    expect(loadEnv({}).retention).toEqual({ messageEventsDays: 90, webhookRefusalsDays: 30, importFilesDays: 1 });
    expect(
      loadEnv({ RETENTION_MESSAGE_EVENTS_DAYS: 'off', RETENTION_WEBHOOK_REFUSALS_DAYS: ' 7 ', RETENTION_IMPORT_FILES_DAYS: 'OFF' }).retention,
    ).toEqual({ messageEventsDays: null, webhookRefusalsDays: 7, importFilesDays: null });
  });

  it.each([
    [{ RETENTION_MESSAGE_EVENTS_DAYS: '0' }, 'RETENTION_MESSAGE_EVENTS_DAYS is 0, which could mean "keep nothing" or "keep forever": set a whole number of days from 7 to 36500, or "off" to keep forever'],
    [{ RETENTION_WEBHOOK_REFUSALS_DAYS: '0' }, 'RETENTION_WEBHOOK_REFUSALS_DAYS is 0'],
    [{ RETENTION_MESSAGE_EVENTS_DAYS: '3' }, 'RETENTION_MESSAGE_EVENTS_DAYS must be a whole number of days from 7 to 36500, or "off" to keep forever (got "3")'],
    [{ RETENTION_WEBHOOK_REFUSALS_DAYS: '1.5' }, 'RETENTION_WEBHOOK_REFUSALS_DAYS must be a whole number of days from 1'],
    [{ RETENTION_IMPORT_FILES_DAYS: 'forever' }, 'RETENTION_IMPORT_FILES_DAYS must be a whole number of days from 1'],
    [{ RETENTION_IMPORT_FILES_DAYS: '-1' }, 'RETENTION_IMPORT_FILES_DAYS'],
  ])('refuses the retention setting %o', (source, message) => {
    expect(() => loadEnv(source)).toThrow(ConfigError);
    expect(() => loadEnv(source)).toThrow(message);
  });

  it.each([
    [{ NODE_ENV: 'production', ENCRYPTION_KEYS: 'k:x' }, 'DATABASE_URL is required'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db' }, 'ENCRYPTION_KEYS is required'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db', ENCRYPTION_KEYS: 'k:x', SES_SIMULATOR: 'on' }, 'SES_SIMULATOR=on is not allowed'],
    [{ WORKER: 'sometimes' }, 'WORKER'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL must be an http(s) URL'],
    [{ REPUTATION_MIN_SENDS: '0' }, 'REPUTATION_MIN_SENDS'],
  ])('refuses %o', (source, message) => {
    expect(() => loadEnv(source)).toThrow(ConfigError);
    expect(() => loadEnv(source)).toThrow(message);
  });
});
