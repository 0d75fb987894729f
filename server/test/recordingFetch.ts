import { afterAll, beforeAll } from 'vitest';

/**
 * Wraps the global fetch for one test file and keeps every response body,
 * so a test can prove that something never appears in any answer.
 */
export function recordingFetch(): { bodies: string[] } {
  const recorded = { bodies: [] as string[] };
  const original = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = async (input, init) => {
      const res = await original(input, init);
      recorded.bodies.push(await res.clone().text());
      return res;
    };
  });
  afterAll(() => {
    globalThis.fetch = original;
  });
  return recorded;
}
