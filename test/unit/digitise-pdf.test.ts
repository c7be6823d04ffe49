/** The PDF writer: streamed pages, JPEG embedded as is, metadata, SHA-256 of the bytes written, OCR text layer. */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, test } from 'vitest';
import { PdfWriter, plainSink, type FileSink } from '../../src/digitise/pdf.ts';
import { parseTsv } from '../../src/digitise/ocr.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'hcc-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const meta = { dossierCode: '000.00.21.H30-261122-9001', component: 'Giấy tờ', device: 'sim (simulated)', scanTime: new Date('2026-11-22T03:04:05Z'), agent: 'desk-1' };

async function page(i: number, w = 413, h = 585): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: 250, g: 250 - i, b: 240 } } }).jpeg({ quality: 70 }).toBuffer();
}

describe('PdfWriter', () => {
  test('pages stream to disk; JPEGs embedded byte for byte; size, hash and page count are those of the file', async () => {
    const path = join(dir, 'a.pdf');
    const w = new PdfWriter(path, meta);
    w.open();
    const jpegs: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      jpegs.push(await page(i));
      await w.addPage(jpegs[i], 413, 585, 50);
    }
    const r = await w.finish();
    const bytes = readFileSync(path);
    expect(r).toEqual({ pages: 30, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const j of jpegs) expect(bytes.indexOf(j)).toBeGreaterThan(0);
    expect((await run('qpdf', ['--check', path])).stdout).toMatch(/No syntax or stream encoding errors/);
    expect((await run('qpdf', ['--show-npages', path])).stdout.trim()).toBe('30');
    // 413 px at 50 dpi = 8.26 in = 594.7 pt: the page is the size of the paper.
    const json = JSON.parse((await run('qpdf', ['--json=2', '--json-key=pages', path])).stdout);
    const first = JSON.parse((await run('qpdf', ['--json=2', '--json-key=qpdf', path], { maxBuffer: 64 << 20 })).stdout).qpdf[1][`obj:${json.pages[0].object}`].value;
    expect(first['/MediaBox'].map((n: number) => Math.round(n))).toEqual([0, 0, 595, 842]);
    const text = bytes.toString('latin1');
    expect(text).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(text).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(text).toContain('/DCTDecode');
  });

  test('the file cannot be overwritten, and abort removes a partial file', async () => {
    const path = join(dir, 'b.pdf');
    const w = new PdfWriter(path, meta);
    w.open();
    await w.addPage(await page(1), 413, 585, 50);
    await w.abort();
    expect(existsSync(path)).toBe(false);
    // An existing file is never overwritten: the error surfaces on the writer, the process lives on.
    const a = new PdfWriter(path, meta);
    a.open();
    await a.addPage(await page(1), 413, 585, 50);
    await a.finish();
    let sink!: FileSink;
    const b = new PdfWriter(path, meta, (p) => (sink = plainSink(p)));
    b.open();
    await expect(sink.done).rejects.toThrow(/EEXIST/); // the exclusive open refused the existing file
    await expect(b.addPage(await page(2), 413, 585, 50)).rejects.toThrow(/EEXIST/);
    await b.abort();
    expect(existsSync(path)).toBe(true);
  });

  test('finish is idempotent: a second call gets the first result, the file is ended once', async () => {
    const path = join(dir, 'twice.pdf');
    const w = new PdfWriter(path, meta);
    w.open();
    await w.addPage(await page(3), 413, 585, 50);
    const [a, b] = await Promise.all([w.finish(), w.finish()]);
    expect(b).toBe(a);
    expect(await w.finish()).toBe(a);
    const bytes = readFileSync(path);
    expect(a).toEqual({ pages: 1, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await run('qpdf', ['--check', path])).stdout).toMatch(/No syntax or stream encoding errors/);
  });

  test('an error on the PDF document rejects finish instead of escaping as an uncaught exception', async () => {
    const path = join(dir, 'doc-error.pdf');
    const w = new PdfWriter(path, meta);
    w.open();
    await w.addPage(await page(4), 413, 585, 50);
    // pdfkit's document is a Readable: an 'error' without a listener would throw at process level.
    (w as unknown as { doc: NodeJS.EventEmitter }).doc.emit('error', new Error('pdfkit broke'));
    await expect(w.finish()).rejects.toThrow(/pdfkit broke/);
    await w.abort();
    expect(existsSync(path)).toBe(false);
  });

  test('OCR words become an invisible text layer (render mode 3) with an embedded font', async () => {
    const path = join(dir, 'c.pdf');
    const w = new PdfWriter(path, meta);
    w.open();
    await w.addPage(await page(2, 1654, 2339), 1654, 2339, 200, [
      { text: 'Searchable', left: 200, top: 300, width: 500, height: 60, conf: 95 },
      { text: 'hồ-sơ', left: 800, top: 300, width: 300, height: 60, conf: 90 },
    ]);
    await w.finish();
    const qdf = join(dir, 'c.qdf');
    await run('qpdf', ['--qdf', '--object-streams=disable', path, qdf]);
    const q = readFileSync(qdf).toString('latin1');
    expect(q).toMatch(/3 Tr/);
    expect(q).toMatch(/\/FontFile2/);
    expect(q).toMatch(/\/ToUnicode/);
    const { stdout } = await run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-sOutputFile=-', path]);
    expect(stdout).toContain('Searchable');
  });
});

describe('tesseract TSV', () => {
  test('keeps words (level 5) with their boxes and drops empty ones', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t',
      '5\t1\t1\t1\t1\t1\t120\t80\t200\t40\t96.5\tCỘNG',
      '5\t1\t1\t1\t1\t2\t330\t80\t90\t40\t91\tHÒA',
      '5\t1\t1\t1\t1\t3\t430\t80\t10\t40\t12\t ',
    ].join('\n');
    expect(parseTsv(tsv)).toEqual([
      { left: 120, top: 80, width: 200, height: 40, conf: 96.5, text: 'CỘNG' },
      { left: 330, top: 80, width: 90, height: 40, conf: 91, text: 'HÒA' },
    ]);
  });
});
