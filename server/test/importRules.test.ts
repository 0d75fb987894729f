import path from 'node:path';
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';
import { repoRoot } from '../src/env.js';

/**
 * The layering rules of eslint.config.js (docs/architecture.md, "Where
 * things live"), checked against imports that break them: a rule that
 * stopped matching would let these through.
 */
const eslint = new ESLint({ cwd: repoRoot });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

it.each([
  ['server/src/services/campaigns/wrong.ts', "import { router } from '../../trpc/init.js';\nexport const x = router;\n", /Domain code is called by transports/],
  ['server/src/sending/wrong.ts', "import { buildApp } from '../http/webApp.js';\nexport const x = buildApp;\n", /Domain code is called by transports/],
  ['server/src/events/wrong.ts', "import { TRPCError } from '@trpc/server';\nexport const x = TRPCError;\n", /Domain code knows no transport/],
  ['server/src/db/schema/wrong.ts', "import { addJob } from '../../queue/addJob.js';\nexport const x = addJob;\n", /db\/ is the bottom layer/],
  ['web/src/lib/wrong.ts', "import { appRouter } from '@herald/server';\nexport const x = appRouter;\n", /only as types/],
  ['web/src/lib/wrong.ts', "import { startTestHerald } from '@herald/server/testing';\nexport const x = startTestHerald;\n", /only as types/],
])('lint refuses %s importing across a layer', async (file, code, message) => {
  expect(await problems(file, code)).toEqual([expect.stringMatching(message)]);
});

it.each([
  ['server/src/services/campaigns/right.ts', "import { AppError } from '../../errors.js';\nexport const x = AppError;\n"],
  ['web/src/lib/right.ts', "import type { AppRouter } from '@herald/server';\nexport type X = AppRouter;\n"],
])('lint accepts %s importing within the rules', async (file, code) => {
  expect(await problems(file, code)).toEqual([]);
});
