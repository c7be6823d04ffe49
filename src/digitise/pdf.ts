/**
 * One PDF per dossier component, written as pages arrive: pdfkit streams each page and its
 * JPEG (embedded as DCTDecode, never re-encoded) straight to disk, so memory stays flat however
 * many pages come. PDF/A-2b (XMP identification, sRGB output intent, embedded fonts), document
 * metadata, SHA-256 computed on the bytes as they are written.
 */
import { pdfkitLib } from '../../drivers/support/lazy.ts';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { unlink } from 'node:fs/promises';
import { FONT_FILES } from '../../drivers/support/fonts.ts';
import type { OcrWord } from './ocr.ts';

export interface PdfMeta {
  dossierCode: string;
  component: string;
  /** Scanner device id and driver, e.g. "docs (sane)". */
  device: string;
  scanTime: Date;
  /** Agent id, recorded as the author. */
  agent: string;
}

export interface PdfResult {
  pages: number;
  size: number;
  sha256: string;
}

const PT_PER_INCH = 72;

/** Where the PDF bytes go: a writable and a promise settled when they are all on disk. */
export interface FileSink {
  stream: Writable;
  done: Promise<void>;
}
export type SinkFactory = (path: string) => FileSink;

/** A plain owner-only file, never overwriting an existing one. */
export const plainSink: SinkFactory = (path) => {
  const stream = createWriteStream(path, { mode: 0o600, flags: 'wx' });
  const done = new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('close', resolve);
  });
  return { stream, done };
};

export class PdfWriter {
  private doc: PDFKit.PDFDocument | null = null;
  private out: Writable | null = null;
  private done: Promise<void> | null = null;
  private readonly hash = createHash('sha256');
  private size = 0;
  private pageCount = 0;
  private fontReady = false;
  /** A write error (disk full, file exists) surfaces on the next call instead of crashing the process. */
  private failure: Error | null = null;
  /** The one finish in progress or done: a second doc.end() would raise ERR_STREAM_PUSH_AFTER_EOF. */
  private finishing: Promise<PdfResult> | null = null;

  constructor(
    readonly path: string,
    private readonly meta: PdfMeta,
    /** plainSink, or an encrypting one (the vault) for scans at rest. */
    private readonly sink: SinkFactory = plainSink,
  ) {}

  get pages(): number {
    return this.pageCount;
  }

  open(): void {
    const m = this.meta;
    const PDFDocument = pdfkitLib();
    const doc = new PDFDocument({
      autoFirstPage: false,
      subset: 'PDF/A-2b',
      pdfVersion: '1.7',
      lang: 'vi-VN',
      tagged: false,
      displayTitle: true,
      // PDF/A wants the Info entries and pdfkit's XMP copy of them equal: Producer set like Creator
      // (pdfkit writes Creator as pdf:Producer), no ModDate (pdfkit writes no xmp:ModifyDate), and no
      // XML specials (pdfkit does not escape them in the XMP).
      info: {
        Title: xmpSafe(`${m.dossierCode} – ${m.component}`),
        Subject: xmpSafe(m.component),
        Author: xmpSafe(m.agent),
        Keywords: xmpSafe(`${m.dossierCode}, ${m.component}`),
        Creator: 'hcc-agent',
        Producer: 'hcc-agent',
        CreationDate: m.scanTime,
      },
    });
    const { stream: out, done } = this.sink(this.path);
    doc.on('data', (c: Buffer) => {
      this.hash.update(c);
      this.size += c.length;
    });
    out.on('error', (err) => {
      this.failure ??= err;
    });
    // An unhandled 'error' on the document would kill the daemon; record it and end the sink so finish() settles and rejects.
    doc.on('error', (err: Error) => {
      this.failure ??= err;
      if (!out.destroyed) out.destroy(err);
    });
    done.catch((err: Error) => {
      this.failure ??= err;
    });
    this.done = done;
    doc.pipe(out);
    this.doc = doc;
    this.out = out;
  }

  /** Appends one page the size of the scanned image; `words` (OCR) become invisible, searchable text. */
  async addPage(jpeg: Buffer, widthPx: number, heightPx: number, dpi: number, words: OcrWord[] = []): Promise<void> {
    const doc = this.doc;
    if (!doc || !this.out) throw new Error('PDF writer not open');
    if (this.failure) throw this.failure;
    const scale = PT_PER_INCH / dpi;
    const w = widthPx * scale, h = heightPx * scale;
    doc.addPage({ size: [w, h], margin: 0 });
    doc.image(jpeg, 0, 0, { width: w, height: h });
    if (words.length) this.textLayer(doc, words, scale);
    this.pageCount++;
    // Let the disk catch up instead of buffering pages in memory.
    const out = this.out;
    if (out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          out.off('error', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
        out.on('error', done);
      });
    }
  }

  /** Ends the file: metadata with the page count, then waits until every byte is on disk. */
  finish(): Promise<PdfResult> {
    this.finishing ??= this.end();
    return this.finishing;
  }

  private async end(): Promise<PdfResult> {
    const doc = this.doc, out = this.out;
    if (!doc || !out) throw new Error('PDF writer not open');
    Object.assign(doc.info as Record<string, unknown>, {
      DossierCode: this.meta.dossierCode,
      Component: this.meta.component,
      PageCount: String(this.pageCount),
      ScanTime: this.meta.scanTime.toISOString(),
      Device: this.meta.device,
    });
    if (this.failure) throw this.failure;
    doc.end();
    await this.done!.catch(() => undefined);
    this.doc = null;
    this.out = null;
    if (this.failure) throw this.failure;
    return { pages: this.pageCount, size: this.size, sha256: this.hash.digest('hex') };
  }

  /** Drops a file that will never be finished (cancelled session). */
  async abort(): Promise<void> {
    const out = this.out, done = this.done;
    this.doc = null;
    this.out = null;
    if (out && !out.destroyed) out.destroy();
    await done?.catch(() => undefined);
    // Never remove a file this writer did not create (the exclusive open refused an existing one).
    if ((this.failure as NodeJS.ErrnoException | null)?.code !== 'EEXIST') await unlink(this.path).catch(() => undefined);
  }

  private textLayer(doc: PDFKit.PDFDocument, words: OcrWord[], scale: number): void {
    if (!this.fontReady) {
      doc.registerFont('ocr', FONT_FILES.regular);
      this.fontReady = true;
    }
    doc.save();
    // Text render mode 3: neither filled nor stroked — present for search and copy, invisible on the page.
    doc.addContent('3 Tr');
    doc.font('ocr');
    for (const wd of words) {
      const size = Math.max(1, wd.height * scale);
      doc.fontSize(size);
      const natural = doc.widthOfString(wd.text);
      const target = wd.width * scale;
      const horizontalScaling = natural > 0 ? Math.max(10, Math.min(1000, (target / natural) * 100)) : 100;
      doc.text(wd.text, wd.left * scale, wd.top * scale, { lineBreak: false, horizontalScaling } as PDFKit.Mixins.TextOptions);
    }
    doc.restore();
  }
}

/** Text safe inside pdfkit's unescaped XMP packet. */
export function xmpSafe(text: string): string {
  return text.replace(/[<>&"']/g, ' ').replace(/\s+/g, ' ').trim();
}
