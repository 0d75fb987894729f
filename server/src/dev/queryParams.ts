import { invalidParameterValue } from './awsErrors.js';

/** The form-encoded parameters of one Query request (`Action`, `Version`, `Foo.member.1`, …). */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(body: string) {
    for (const [key, value] of new URLSearchParams(body)) this.values.set(key, value);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** `Prefix.member.1`, `Prefix.member.2`, …, in index order (the Query list encoding). */
  members(prefix: string): string[] {
    return this.indices(`${prefix}.member.`).map((n) => this.values.get(`${prefix}.member.${n}`) ?? '');
  }

  /** A Query map (`Prefix.entry.N.key` / `Prefix.entry.N.value`), in index order. */
  entries(prefix: string): Map<string, string> {
    const map = new Map<string, string>();
    for (const n of this.indices(`${prefix}.entry.`, '.key')) {
      map.set(this.values.get(`${prefix}.entry.${n}.key`) ?? '', this.values.get(`${prefix}.entry.${n}.value`) ?? '');
    }
    return map;
  }

  /** SES message tags: `Tags.member.N.Name` / `Tags.member.N.Value`. */
  tags(): Record<string, string> {
    const tags = new Map<string, string>();
    for (const n of this.indices('Tags.member.', '.Name')) {
      const name = this.values.get(`Tags.member.${n}.Name`) ?? '';
      const value = this.values.get(`Tags.member.${n}.Value`) ?? '';
      // SES checks both halves of a tag against the same alphabet and length.
      for (const [what, text] of [['name', name], ['value', value]] as const) {
        if (!/^[\w-]{1,255}$/.test(text)) {
          throw invalidParameterValue(
            `Invalid tag ${what} <${text}>: only alphanumeric ASCII characters, '_', and '-' are allowed, fewer than 256 characters.`,
          );
        }
      }
      if (tags.has(name)) throw invalidParameterValue(`Duplicate tag name <${name}>.`);
      tags.set(name, value);
    }
    // fromEntries defines own properties, so even a tag named `__proto__` stays a plain entry.
    return Object.fromEntries(tags);
  }

  /** The N of every key `${start}N${end}`, in numeric order. */
  private indices(start: string, end = ''): string[] {
    const found: string[] = [];
    for (const key of this.values.keys()) {
      if (!key.startsWith(start) || !key.endsWith(end)) continue;
      const n = key.slice(start.length, key.length - end.length);
      if (/^\d+$/.test(n)) found.push(n);
    }
    return found.sort((a, b) => Number(a) - Number(b));
  }
}
