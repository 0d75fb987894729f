/** Tries SES has to take a message when it fails transiently. */
export const MAX_SEND_ATTEMPTS = 3;

/** Seconds before transient retry n (1-based): 2 s, 8 s, … with jitter so retries spread out. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return 2000 * 4 ** (attempt - 1) * (0.75 + random() * 0.5);
}
