export { createTestDatabase, type TestDatabase } from './database.js';
export { startTestHerald, type TestHerald } from './herald.js';
export { freePort } from './globalSetup.js';
export {
  DEMO_ACCESS_KEY_ID,
  DEMO_SECRET_ACCESS_KEY,
  NO_QUOTA_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_ID,
} from '../dev/sesSimulator.js';
