import { Marked, type Tokens } from 'marked';

/** GitHub's heading anchors ("## 3. Doing it by hand" → `3-doing-it-by-hand`), so the guide's own #links work. */
export function slug(text: string): string {
	return text
		.toLowerCase()
		.replace(/<[^>]+>/g, '')
		.replace(/[^\p{L}\p{N}\s-]/gu, '')
		.trim()
		.replace(/\s/g, '-');
}

/**
 * Renders one of Herald's own docs pages (trusted text from the repository,
 * bundled at build time) for the in-app help. Links to the other docs files
 * become plain text: those pages live in the repository, not in the app.
 */
const marked = new Marked({
	gfm: true,
	renderer: {
		heading({ tokens, depth }: Tokens.Heading) {
			const inner = this.parser.parseInline(tokens);
			return `<h${depth} id="${slug(inner)}">${inner}</h${depth}>\n`;
		},
		link({ href, tokens }: Tokens.Link) {
			const inner = this.parser.parseInline(tokens);
			if (href.startsWith('#')) return `<a href="${href}">${inner}</a>`;
			if (/^https?:\/\//.test(href)) return `<a href="${href}" target="_blank" rel="noopener noreferrer">${inner}</a>`;
			return inner;
		}
	}
});

export function renderDoc(source: string): string {
	return marked.parse(source, { async: false });
}
