// Single-page app: the server only serves files, all rendering happens in the browser.
export const ssr = false;
export const prerender = false;
