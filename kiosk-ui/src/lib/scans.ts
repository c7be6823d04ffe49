/** Digitising as the counter page sees it: the agent's own types (only the types are imported: nothing of the server goes into a page). */
export type { ScanDocument, ScanSession, StartScanBody } from '../../../src/digitise/schemas.ts';
export type { ScanCompletedData, ScanPageData } from '../../../src/event-map.ts';
