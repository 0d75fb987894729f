/**
 * The Postgres NOTIFY channel of live campaign metrics: message triggers
 * (migrations 0010+), campaign status changes and event processing notify
 * it with `<tenant id>:<campaign id>`, ids only; metricsHub.ts listens.
 */
export const METRICS_CHANNEL = 'campaign_metrics';
