import type { JobHelpers, Task } from 'graphile-worker';
import type { Deps } from '../deps.js';
import { taskPayloads, type TaskName, type TaskPayload } from '../queue/payloads.js';

export type TaskDefinition<N extends TaskName = TaskName> = {
  name: N;
  run: (deps: Deps, payload: TaskPayload<N>, helpers: JobHelpers) => Promise<void>;
};

export function defineTask<N extends TaskName>(name: N, run: TaskDefinition<N>['run']): TaskDefinition<N> {
  return { name, run };
}

/**
 * Wraps a definition as a graphile-worker task whose payload is validated
 * first: a malformed payload fails loudly (kept in the jobs table with the
 * reason) instead of running the task on bad data.
 */
export function toTask<N extends TaskName>(deps: Deps, def: TaskDefinition<N>): Task {
  const schema = taskPayloads[def.name];
  return async (raw, helpers) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
      throw new Error(`Invalid payload for job ${def.name}: ${reason}`);
    }
    await def.run(deps, parsed.data as TaskPayload<N>, helpers);
  };
}
