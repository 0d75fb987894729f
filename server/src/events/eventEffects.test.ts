import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSesEvent, type SesEvent } from './sesEvent.js';
import { MAX_LINK_LENGTH, effectOf, mergeEffects } from './eventEffects.js';

/** The AWS example Click event, with the given link. */
function click(link: string | undefined): SesEvent {
  const raw = JSON.parse(readFileSync(new URL('../../test/fixtures/ses-events/click.json', import.meta.url), 'utf8')) as { click: Record<string, unknown> };
  if (link === undefined) delete raw.click.link;
  else raw.click.link = link;
  const parsed = parseSesEvent(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.event;
}

describe('clicked links', () => {
  it('a Click carries its link; other events none', () => {
    expect(effectOf(click('https://shop.example/a')).links).toEqual(['https://shop.example/a']);
    expect(effectOf(click(undefined)).links).toEqual([]);
    const open = JSON.parse(readFileSync(new URL('../../test/fixtures/ses-events/open.json', import.meta.url), 'utf8')) as unknown;
    const parsed = parseSesEvent(open);
    expect(parsed.ok && effectOf(parsed.event).links).toEqual([]);
  });

  it('keeps the first 2,048 characters of a longer link, never half a surrogate pair', () => {
    const long = `https://shop.example/?q=${'x'.repeat(5000)}`;
    expect(effectOf(click(long)).links).toEqual([long.slice(0, MAX_LINK_LENGTH)]);
    // An emoji (two UTF-16 units) straddling the limit is left out whole.
    const straddling = `${'a'.repeat(MAX_LINK_LENGTH - 1)}😀tail`;
    expect(effectOf(click(straddling)).links).toEqual(['a'.repeat(MAX_LINK_LENGTH - 1)]);
  });

  it('merging keeps every click, repeats included', () => {
    const a = effectOf(click('https://shop.example/a'));
    const b = effectOf(click('https://shop.example/b'));
    expect(mergeEffects(mergeEffects(a, b), a).links.sort()).toEqual(['https://shop.example/a', 'https://shop.example/a', 'https://shop.example/b']);
  });
});
