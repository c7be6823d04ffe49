/**
 * What other concerns (queue, dossier flows, pages) need from printing: submit a job, possibly
 * inside the transaction of the change it belongs to, and read its state.
 */
import Type, { type Static } from 'typebox';
import type { Tx } from '../events.ts';

export const TEMPLATES = ['queue-ticket', 'dossier-receipt', 'result-slip', 'test-page'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

/** `interrupted`: the daemon died mid-transfer; reprinted only on explicit retry. */
export const JobState = Type.Union([Type.Literal('queued'), Type.Literal('printing'), Type.Literal('printed'), Type.Literal('failed'), Type.Literal('waiting'), Type.Literal('interrupted')]);
export type JobState = Static<typeof JobState>;

export interface PrintRequest {
  /** Device id; default printer when absent. */
  printer?: string;
  template: TemplateName;
  data: Record<string, unknown>;
  /** Output: thermal raster (default) or A4 PDF (dossier-receipt only). */
  format?: 'thermal' | 'a4';
}

export interface PrintJobView {
  id: string;
  printer: string;
  template: TemplateName;
  state: JobState;
  /** Machine-readable reason: paper-out, cover-open, offline, no-status, transfer-failed, interrupted… */
  code?: string;
  error?: string;
  errorVi?: string;
  /** What `printed` rests on: the printer's answer after the last byte, or only a hand-over (no status, CUPS). */
  guarantee?: string;
  createdAt: string;
  updatedAt: string;
}

export interface PrintSubmitter {
  /**
   * Validates and stores the job. Synchronous so it can run inside `events.transaction(tx => …)`
   * together with the change it belongs to; the printer is driven after commit. Throws a DomainError
   * (invalid: unknown template or bad data; not-found: unknown printer).
   */
  submit(req: PrintRequest, tx?: Tx): { id: string; state: JobState };
  get(id: string): PrintJobView | undefined;
}
