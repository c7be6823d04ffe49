/**
 * What other concerns (queue, dossier flows, pages) need from printing: submit a job, possibly
 * inside the transaction of the change it belongs to, and read its state.
 */
import Type, { type Static } from 'typebox';
import type { Tx } from '../events.ts';

export const Template = Type.Union([Type.Literal('queue-ticket'), Type.Literal('dossier-receipt'), Type.Literal('result-slip'), Type.Literal('test-page')]);
export type TemplateName = Static<typeof Template>;
export const TEMPLATES: readonly TemplateName[] = Template.anyOf.map((t) => t.const);

export const PrintFormat = Type.Union([Type.Literal('thermal'), Type.Literal('a4')]);

/** `interrupted`: the daemon died mid-transfer; reprinted only on explicit retry. */
export const JobState = Type.Union([Type.Literal('queued'), Type.Literal('printing'), Type.Literal('printed'), Type.Literal('failed'), Type.Literal('waiting'), Type.Literal('interrupted')]);
export type JobState = Static<typeof JobState>;

/** POST /print/jobs, and what the queue and the dossier flows submit. */
export const PrintRequest = Type.Object(
  {
    printer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Device id; the default printer when absent.' })),
    template: { ...Template, description: `One of ${TEMPLATES.join(', ')}.` },
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'Template data; checked against the template (see the README template reference).' }),
    format: Type.Optional({ ...PrintFormat, description: 'a4: the dossier receipt as PDF for an A4 (CUPS) printer; thermal raster by default.' }),
  },
  { additionalProperties: false },
);
export type PrintRequest = Static<typeof PrintRequest>;

/** A print job as GET /print/jobs/:id shows it. */
export const PrintJob = Type.Object({
  id: Type.String(),
  printer: Type.String(),
  template: Template,
  state: JobState,
  format: PrintFormat,
  subject: Type.Optional(Type.String({ description: 'Dossier code or ticket number.' })),
  code: Type.Optional(Type.String({ description: 'Machine-readable reason, e.g. paper-out, cover-open, offline, interrupted.' })),
  error: Type.Optional(Type.String()),
  errorVi: Type.Optional(Type.String()),
  guarantee: Type.Optional(Type.String({ description: 'What "printed" means for this job: confirmed by the printer, or only sent (printer without status), or accepted by CUPS.' })),
  attempts: Type.Integer(),
  bytes: Type.Optional(Type.Integer()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  printedAt: Type.Optional(Type.String()),
});
export type PrintJob = Static<typeof PrintJob>;

export interface PrintSubmitter {
  /**
   * Validates and stores the job. Synchronous so it can run inside `events.transaction(tx => …)`
   * together with the change it belongs to; the printer is driven after commit. Throws a DomainError
   * (invalid: unknown template or bad data; not-found: unknown printer).
   */
  submit(req: PrintRequest, tx?: Tx): { id: string; state: JobState };
  get(id: string): PrintJob | undefined;
}
