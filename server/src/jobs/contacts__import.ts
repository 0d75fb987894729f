import { z } from 'zod';
import { runImport } from '../services/imports/run.js';
import { defineTask } from './defineTask.js';

export const contactsImport = defineTask(z.object({ importId: z.uuid() }), (deps, payload) => runImport(deps, payload.importId));
