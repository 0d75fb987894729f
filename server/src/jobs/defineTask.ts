import type { JobHelpers, Task } from 'graphile-worker';
import type { z } from 'zod';
import type { Deps } from '../services/deps.js';

export type TaskDefinition<S extends z.ZodType = z.ZodType> = {
  payload: S;
  run: (deps: Deps, payload: z.infer<S>, helpers: JobHelpers) => Promise<void>;
};

export function defineTask<S extends z.ZodType>(payload: S, run: TaskDefinition<S>['run']): TaskDefinition<S> {
  return { payload, run };
}

/**
 * Wraps a definition as a graphile-worker task whose payload is validated
 * first: a malformed payload fails loudly (kept in the jobs table with the
 * reason) instead of running the task on bad data.
 */
export function toTask(deps: Deps, name: string, def: TaskDefinition): Task {
  return async (raw, helpers) => {
    const parsed = def.payload.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
      throw new Error(`Invalid payload for job ${name}: ${reason}`);
    }
    await def.run(deps, parsed.data, helpers);
  };
}
