import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Import paths of the server's layers, as they appear in relative imports from any depth. */
const layer = (...names) => names.flatMap((name) => [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`, `./${name}/*`]);

/**
 * The directions that must never be crossed (docs/architecture.md, "Where things live"):
 * domain code knows nothing of transport, the database layer nothing of what uses it,
 * and the browser bundle no server code.
 */
const layering = [
  {
    files: ['server/src/services/**/*.ts', 'server/src/sending/**/*.ts', 'server/src/events/**/*.ts', 'server/src/ses/**/*.ts', 'server/src/rendering/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: layer('http', 'routers', 'trpc'), message: 'Domain code is called by transports (http/, routers/, trpc/), never the other way: throw AppError instead.' },
          { group: ['fastify', '@fastify/*', '@trpc/*'], message: 'Domain code knows no transport: throw AppError instead.' },
        ],
      }],
    },
  },
  {
    files: ['server/src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            group: layer('services', 'sending', 'events', 'ses', 'rendering', 'jobs', 'queue', 'realtime', 'webhooks', 'http', 'routers', 'trpc', 'dev', 'cli', 'crypto'),
            message: 'db/ is the bottom layer: it imports nothing of Herald above it.',
          },
        ],
      }],
    },
  },
  {
    files: ['web/src/**/*.ts', 'web/src/**/*.svelte'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: '@herald/server', allowTypeImports: true, message: 'The web app imports the server only as types (import type { AppRouter }).' }],
        patterns: [
          // ses-regions is a data-only leaf module (the region list), shared so the two never disagree.
          { group: ['@herald/server/*', '!@herald/server/ses-regions'], message: 'The web app imports the server only as types.' },
          { group: ['**/server/src/**'], message: 'The web app imports the server only as types, through @herald/server.' },
        ],
      }],
    },
  },
];

export default ts.config(
  { ignores: ['**/dist/**', '**/build/**', '**/.svelte-kit/**', '**/node_modules/**', 'drizzle/**', '.data/**'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  ...layering,
);
