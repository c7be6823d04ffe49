/**
 * Every CloudEvents `type` the agent emits, with the shape of its `data`: the central system and
 * the pages rely on these names and fields, so `events.emit(type, subject, data)` is checked
 * against this map (a misspelt type or a missing field fails tsc). Payloads that have a home of
 * their own (dossier and queue schemas, the barcode pipeline) are imported; the rest are here.
 * Live-only events (`publish`, not forwarded) are marked so.
 */
import type { DeviceStatus } from '../drivers/contracts.ts';
import type { CloudEvent } from './outbox/envelope.ts';
import type { BarcodeScannedData } from './barcode/pipeline.ts';
import type { Problem as ScanProblem, ScanDocument } from './digitise/schemas.ts';
import type { DossierReceived, FeePaid, ResultSlip } from './dossier/schemas.ts';
import type { JobState, TemplateName } from './printing/api.ts';
import type { BoardState, RatingResult } from './queue/schemas.ts';

/** `hcc.device.status`: a device's status as its driver reports it; the outbox reports as device `outbox`. */
export type DeviceStatusData = DeviceStatus & { device: string; type: string; driver: string };

/** `hcc.print.job.state` (live): the job was queued, waits for the printer (with the reason), or is printing. */
export interface PrintJobStateData {
  id: string;
  printer: string;
  state: 'queued' | 'waiting' | 'printing';
  /** Waiting: why (null when the spool has no reason). */
  code?: string | null;
  error?: string | null;
  errorVi?: string | null;
}

/** `hcc.print.job.printed` / `hcc.print.job.failed`: the job's final state. */
export interface PrintJobDoneData {
  id: string;
  printer: string;
  template: TemplateName;
  state: JobState;
  /** Machine-readable reason: paper-out, render-error, no-answer… */
  code?: string;
  error?: string;
  errorVi?: string;
  /** What `printed` rests on (the printer's answer, or only a hand-over). */
  guarantee?: string;
  bytes?: number;
}

/** Every `hcc.queue.ticket.*`: the ticket with the timestamps the central side computes waiting and service time from. */
export interface TicketEventData {
  number: string;
  day: string;
  serviceId: string;
  priority: string | null;
  counterId: string | null;
  issuedAt: string;
  calledAt: string | null;
  firstCalledAt: string | null;
  completedAt: string | null;
  waitMs: number | null;
  serviceMs: number | null;
}

/** `hcc.queue.ticket.issued`: by this host (`origin` host or a client agent's id) or imported from a client's offline block. */
export type TicketIssuedData = TicketEventData & ({ origin: string; printJobId: string | null } | { origin: string; offline: true; blockId: number });

/** `hcc.feedback.rated`: the citizen's rating of a served ticket. */
export type FeedbackRatedData = RatingResult & { day: string; serviceId: string; levelName: string; levelNameEn: string };

/** Pages of a scan session so far. */
export interface ScanProgress {
  scanned: number;
  kept: number;
  blanks: number;
  separators: number;
}

/** A finished PDF of a session, one per dossier component. */
export type ScannedDocument = Omit<ScanDocument, 'state'>;

/** What a completed session produced: in `hcc.dossier.digitised` and `hcc.scan.completed`. */
export interface ScanSummary {
  sessionId: string;
  dossierCode: string;
  scanner: string;
  profile: string;
  scannedAt: string;
  completedAt: string;
  pages: ScanProgress;
}

/** `hcc.scan.page` (live, personal: the thumbnail shows the citizen's papers). */
export interface ScanPageData {
  sessionId: string;
  page: number;
  kind: string;
  component?: string;
  inkRatio: number;
  progress: ScanProgress;
  /** data: URL of a small JPEG. */
  thumbnail: string;
  thumbnailUrl: string;
}

/** `hcc.scan.completed` (live): completed with its documents, or cancelled / failed with nothing handed over. */
export type ScanCompletedData =
  | (ScanSummary & { state: 'completed'; documents: ScannedDocument[]; warnings: ScanProblem[] })
  | { sessionId: string; dossierCode: string; state: 'cancelled' | 'failed'; error?: ScanProblem; pages: ScanProgress };

export interface EventMap {
  'hcc.barcode.scanned': BarcodeScannedData;
  'hcc.device.status': DeviceStatusData;

  'hcc.print.job.state': PrintJobStateData;
  'hcc.print.job.printed': PrintJobDoneData;
  'hcc.print.job.failed': PrintJobDoneData;

  'hcc.queue.ticket.issued': TicketIssuedData;
  'hcc.queue.ticket.called': TicketEventData & { callId: number; recall: false };
  'hcc.queue.ticket.recalled': TicketEventData & { callId: number; recall: true };
  'hcc.queue.ticket.completed': TicketEventData & { outcome: 'completed' };
  'hcc.queue.ticket.skipped': TicketEventData & { outcome: 'no-show' };
  'hcc.queue.ticket.transferred': TicketEventData & { fromServiceId: string; toServiceId: string; fromCounterId: string; transferredAt: string };
  /** Live: the board state, coalesced. */
  'hcc.queue.board': BoardState;
  'hcc.feedback.rated': FeedbackRatedData;

  'hcc.dossier.received': DossierReceived;
  'hcc.dossier.result.returned': ResultSlip;
  'hcc.dossier.fee.paid': FeePaid;
  'hcc.dossier.digitised': ScanSummary & { documents: ScannedDocument[] };

  'hcc.scan.page': ScanPageData;
  /** Live: a scanner error (jam, cover open, empty feeder) waits for continue or finish. */
  'hcc.scan.paused': { sessionId: string; error: ScanProblem; progress: ScanProgress };
  'hcc.scan.completed': ScanCompletedData;
  'hcc.scan.uploaded': { sessionId: string; documentId: string; name: string; size: number | null; sha256: string | null; url: string };
  'hcc.scan.deleted': { sessionId: string; documentId: string; name: string; sha256: string | null; uploaded: false; reason: 'retention'; retentionDays: number; createdAt: string };
}

export type EventType = keyof EventMap;

/** Whether an event read back (the host's feed, the central receiver) is of `type`; narrows its data to the map's shape. */
export function isEvent<K extends EventType>(ev: { type?: unknown } | null | undefined, type: K): ev is CloudEvent<EventMap[K]> {
  return ev?.type === type;
}
