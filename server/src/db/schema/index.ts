export * from './tenants.js';
export * from './users.js';
export * from './apiKeys.js';
export * from './rateLimits.js';
export * from './channelSettings.js';
