import { Liquid, type TagToken } from 'liquidjs';

/**
 * Tags that read other templates from the file system: a tenant's template
 * must never reach the server's files, so they fail at parse time (save).
 */
const fileTagRefused = {
  parse(token: TagToken): void {
    throw new Error(`the {% ${token.name} %} tag is not available in Herald templates`);
  },
  render(): void {},
};

/**
 * One engine per output kind. Parsing is strict (an unknown filter is an
 * error at save, not a silent blank in a million emails); missing variables
 * render empty so `| default: "there"` can supply a fallback. The limits keep
 * a hostile template (a huge loop) from stalling a send worker.
 */
function engine(outputEscape: 'escape' | undefined): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    strictVariables: false,
    outputEscape,
    cache: false,
    parseLimit: 3_000_000,
    renderLimit: 1_000,
    memoryLimit: 50_000_000,
  });
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, fileTagRefused);
  return liquid;
}

/** Escapes every `{{ … }}` output, so a contact named `<script>` stays text. */
export const htmlLiquid = engine('escape');
/** Subject and plain text are not HTML: nothing to escape. */
export const plainLiquid = engine(undefined);
