export type { AppRouter } from './routers/index.js';
export { appRouter } from './routers/index.js';
