/** A job's data → what goes to its printer: raster pages + ESC/POS bytes, text-mode bytes, or an A4 PDF. */
import type { Printer } from '../../drivers/contracts.ts';
import { EscPosPaper } from '../../drivers/protocols/escpos/paper.ts';
import type { TemplateName } from './api.ts';
import type { PrinterProfile } from './config.ts';
import { encodeRasterJob } from '../../drivers/protocols/escpos/encode.ts';
import { encodeTextJob } from './escpos-text.ts';
import { renderDoc } from './layout.ts';
import { dossierReceiptPdf } from './pdf.ts';
import type { Raster } from '../../drivers/protocols/escpos/raster.ts';
import { TEMPLATE_DEFS, type Branding } from './templates.ts';
import type { DossierReceiptData } from '../dossier/schemas.ts';

export interface RenderedJob {
  /** What the paper shows, one raster per cut page (empty for A4). */
  pages: Raster[];
  /** Bytes handed to the printer. */
  bytes: Buffer;
  kind: 'raster' | 'text' | 'pdf';
}

export interface JobInput {
  template: TemplateName;
  format: 'thermal' | 'a4';
  data: unknown;
  createdAt: string;
  printerId: string;
}

export async function renderJob(job: JobInput, printer: Pick<Printer, 'widthDots' | 'accepts'>, branding: Branding, profile?: PrinterProfile): Promise<RenderedJob> {
  if (job.format === 'a4' || printer.accepts === 'pdf') {
    return { pages: [], bytes: await dossierReceiptPdf(job.data as DossierReceiptData, branding), kind: 'pdf' };
  }
  const width = printer.widthDots || 576;
  const docs = TEMPLATE_DEFS[job.template].build(job.data, { branding, width, printerId: job.printerId, createdAt: job.createdAt });
  if (profile?.mode === 'text') {
    const bytes = encodeTextJob(docs, { codec: profile.codec, codePages: profile.codePages, cutFeed: profile.cutFeed });
    // The preview of a text job is what a printer with that code page shows: decode our own bytes.
    const paper = new EscPosPaper({ width, codePages: Object.fromEntries(profile.codePages.map((n, slot) => [n, { codec: profile.codec, slot }])) });
    paper.write(bytes);
    return { pages: paper.pages, bytes, kind: 'text' };
  }
  const pages = docs.map((d) => renderDoc(d).raster);
  return { pages, bytes: encodeRasterJob(pages, { bandRows: profile?.bandRows, cutFeed: profile?.cutFeed }), kind: 'raster' };
}
