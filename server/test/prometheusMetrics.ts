/** One sample of the Prometheus text exposition format. */
export type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses `name{a="x",b="y"} 1.5` lines; comments and blank lines are skipped. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (raw as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one series of `name` whose labels include `labels`; throws when none or several match. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} series of ${name} match ${JSON.stringify(labels)}`);
  return (found[0] as Sample).value;
}

/** GET /metrics with the bearer token (or none, or a given Authorization header). */
export async function scrape(baseUrl: string, authorization: string | null): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: authorization === null ? {} : { authorization } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** Scrapes with the token and parses; fails the test on anything but a 200. */
export async function scrapeSamples(baseUrl: string, token: string): Promise<Sample[]> {
  const { status, text } = await scrape(baseUrl, `Bearer ${token}`);
  if (status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${status}: ${text}`);
  return parseExposition(text);
}
