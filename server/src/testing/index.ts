export { createTestDatabase, type TestDatabase } from './database.js';
export { startTestHerald, type TestHerald } from './herald.js';
export { freePort } from './globalSetup.js';
