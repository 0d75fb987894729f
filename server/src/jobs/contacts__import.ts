import { runImport } from '../services/imports/run.js';
import { defineTask } from './defineTask.js';

export const contactsImport = defineTask('contacts__import', (deps, payload) => runImport(deps, payload.importId));
