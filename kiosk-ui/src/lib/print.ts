/** Print jobs as the pages see them: the agent's own types (only the types are imported: nothing of the server goes into a page). */
export type { PrintJob, PrintRequest } from '../../../src/printing/api.ts';
