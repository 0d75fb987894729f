import { z } from 'zod';

/**
 * How the simulator turns accepted messages into SES events posted over SNS. Every field can be
 * changed while it runs (`sim.events.configure`, `POST /_simulator/events`); a change applies to
 * events posted from then on, including those already scheduled.
 */
export interface SimEventsOptions {
  /**
   * Where SNS posts (Herald's `/webhooks/email`); while null, nothing is scheduled or posted. A list
   * stands for several API processes behind a load balancer: one subscription, each post (the
   * confirmation included) to the next URL in turn.
   */
  webhookUrl: string | string[] | null;
  /** From acceptance to the Delivery or Bounce, inclusive range. */
  deliveryDelayMs: [number, number];
  /** Chance that an ordinary recipient opens (0 never, 1 always). */
  openProbability: number;
  /** Chance that a recipient who opened also clicks. */
  clickProbability: number;
  /** From the Delivery to the Open. */
  openDelayMs: [number, number];
  /** From the Open to the Click. */
  clickDelayMs: [number, number];
  /** Chance that SNS posts an envelope a second time (same MessageId), as its at-least-once delivery does. */
  duplicateProbability: number;
  /** Post each event of a message at an independent random time, so Delivery may come before Send. */
  reorder: boolean;
  /** '1' signs with SHA1withRSA (SNS's default for a topic), '2' with SHA256withRSA. */
  signatureVersion: '1' | '2';
  /** SNS's default HTTP/S policy: 3 retries, 20 s apart, after a 5xx, a timeout or a network error. */
  retryDelayMs: number;
  retries: number;
  /** In [0, 1); injectable so tests are deterministic. */
  random: () => number;
  /** Concurrent POSTs at most; further posts wait their turn. */
  maxInFlight: number;
}

/** What `options()` and `GET /_simulator/events` show: everything but the function. */
export type PublicSimEventsOptions = Omit<SimEventsOptions, 'random'>;

export function defaultSimEventsOptions(): SimEventsOptions {
  return {
    webhookUrl: null,
    deliveryDelayMs: [200, 1500],
    openProbability: 0.5,
    clickProbability: 0.3,
    openDelayMs: [1000, 5000],
    clickDelayMs: [1000, 4000],
    duplicateProbability: 0,
    reorder: false,
    signatureVersion: '2',
    retryDelayMs: 20_000,
    retries: 3,
    random: Math.random,
    maxInFlight: 64,
  };
}

/** SNS caps the whole retry policy at an hour; no delay here needs to be longer. */
const HOUR_MS = 3_600_000;
const ms = z.number().int().min(0).max(HOUR_MS);
const range = z
  .tuple([ms, ms])
  .refine(([min, max]) => min <= max, { message: 'the first number (min) must not exceed the second (max)' });
const probability = z.number().min(0).max(1);
const httpUrl = z
  .string()
  // No whitespace: a list's subscription is named by its URLs joined with spaces (webhookTargets.ts).
  .refine((value) => !/\s/.test(value) && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { message: 'must be an http(s) URL' });
const webhookUrl = z.union([httpUrl, z.array(httpUrl).min(1)]).nullable();

/** A change to the options, as JSON (the control route) or from code; `random` is checked apart. */
export const simEventsOptionsPatchSchema = z
  .strictObject({
    webhookUrl,
    deliveryDelayMs: range,
    openProbability: probability,
    clickProbability: probability,
    openDelayMs: range,
    clickDelayMs: range,
    duplicateProbability: probability,
    reorder: z.boolean(),
    signatureVersion: z.enum(['1', '2']),
    retryDelayMs: ms,
    retries: z.number().int().min(0).max(100),
    maxInFlight: z.number().int().min(1).max(1024),
  })
  .partial();

/** The options with `patch` applied; throws a ZodError (or TypeError for `random`) when it is invalid. */
export function applySimEventsOptions(current: SimEventsOptions, patch: Partial<SimEventsOptions>): SimEventsOptions {
  const { random, ...rest } = patch;
  if (random !== undefined && typeof random !== 'function') throw new TypeError('events.random must be a function');
  const checked = simEventsOptionsPatchSchema.parse(rest);
  const next: SimEventsOptions = { ...current, random: random ?? current.random };
  // Only keys that were given: `{ webhookUrl: undefined }` from a spread must not erase a value.
  for (const [key, value] of Object.entries(checked)) {
    if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
  }
  return next;
}

export function publicSimEventsOptions(options: SimEventsOptions): PublicSimEventsOptions {
  const { random: _random, ...rest } = options;
  const webhookUrl = Array.isArray(rest.webhookUrl) ? [...rest.webhookUrl] : rest.webhookUrl;
  return { ...rest, webhookUrl, deliveryDelayMs: [...rest.deliveryDelayMs], openDelayMs: [...rest.openDelayMs], clickDelayMs: [...rest.clickDelayMs] };
}
