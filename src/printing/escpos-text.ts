/**
 * Text-mode ESC/POS from the same layout: the printer draws text with its own font (Font A,
 * 12 × 24 dots) in a Vietnamese code page, QR codes with GS ( k. A line holding a character the
 * code page lacks is sent as a raster band instead, so nothing prints as '?'.
 */
import { CMD, encodeRasterPage } from '../../drivers/protocols/escpos/encode.ts';
import { codecs, type CodecName } from '../../drivers/protocols/escpos/codepages.ts';
import { breakLinesMono, type Block, type Doc, renderDoc, type Run } from './layout.ts';

const CELL_W = 12;

export interface TextProfile {
  codec: CodecName;
  /** ESC t numbers for the codec's table slots. */
  codePages: number[];
  cutFeed?: number;
}

/** Character size multiplier for a layout font size (24 px ≈ Font A). */
function mult(size: number): number {
  return size >= 80 ? 4 : size >= 44 ? 3 : size >= 28 ? 2 : 1;
}

const ALIGN = { left: 0, center: 1, right: 2 } as const;

/** GS ( k (cn 49) functions 165, 167, 169, 180, 181: QR model 2, module size, error level M, store, print. */
function qrBytes(data: string, module: number): Buffer {
  const d = Buffer.from(data, 'latin1');
  const store = d.length + 3;
  return Buffer.concat([
    Buffer.from([0x1d, 0x28, 0x6b, 4, 0, 49, 65, 50, 0]),
    Buffer.from([0x1d, 0x28, 0x6b, 3, 0, 49, 67, module]),
    Buffer.from([0x1d, 0x28, 0x6b, 3, 0, 49, 69, 49]),
    Buffer.from([0x1d, 0x28, 0x6b, store & 0xff, store >> 8, 49, 80, 48]),
    d,
    Buffer.from([0x1d, 0x28, 0x6b, 3, 0, 49, 81, 48]),
  ]);
}

type ColumnsBlock = Extract<Block, { kind: 'columns' }>;

const tableKey = (b: ColumnsBlock) => b.cols.map((c) => c.width).join(',');

/**
 * Character widths of a table's columns on a `total`-column line: each column's share of the
 * line, then widened where the share cannot hold the table's longest word in that column plus
 * the gutter (a "10" in a 2-wide number column on 58 mm paper would print as "1" over "0"). The
 * room comes first from the line's unused columns, then from the columns with the most to spare
 * beyond their own longest word; a word is split only when the line itself is too narrow.
 */
export function columnWidths(rows: ColumnsBlock[], total: number): number[] {
  const n = rows[0].cols.length;
  const w = rows[0].cols.map((c) => Math.max(1, Math.floor(total * c.width)));
  const need = w.map((_, i) => {
    const words = rows.flatMap((r) => (r.cols[i]?.runs.map((x) => x.text).join('') ?? '').split(/\s+/));
    return Math.max(1, ...words.map((x) => [...x].length)) + (i < n - 1 ? 1 : 0);
  });
  let spare = total - w.reduce((a, x) => a + x, 0);
  for (let i = 0; i < n; i++) {
    while (w[i] < need[i]) {
      if (spare > 0) {
        spare--;
        w[i]++;
        continue;
      }
      let donor = -1;
      for (let j = 0; j < n; j++) if (j !== i && w[j] > need[j] && (donor < 0 || w[j] - need[j] > w[donor] - need[donor])) donor = j;
      if (donor < 0) break;
      w[donor]--;
      w[i]++;
    }
  }
  return w;
}

export function encodeTextPage(doc: Doc, profile: TextProfile): Buffer {
  const codec = codecs[profile.codec];
  const out: Buffer[] = [];
  let slot = -1;
  const useSlot = (s: number) => {
    if (s !== slot) out.push(CMD.codePage(profile.codePages[s]));
    slot = s;
  };
  const cols = (m: number) => Math.floor(doc.width / (CELL_W * m));
  // Rows of one table (columns blocks with the same fractions) share column widths sized from all
  // their cells, so a row's numbers line up with the next row's.
  const tables = new Map<string, ColumnsBlock[]>();
  for (const b of doc.blocks) {
    if (b.kind !== 'columns') continue;
    const rows = tables.get(tableKey(b));
    if (rows) rows.push(b);
    else tables.set(tableKey(b), [b]);
  }
  const tableWidths = new Map([...tables].map(([k, rows]) => [k, columnWidths(rows, cols(1))]));

  /** One printed line of runs; falls back to raster when the code page lacks a character. */
  const line = (runs: Run[], size: number, align: keyof typeof ALIGN) => {
    const m = mult(size);
    // Raster for this line when the table lacks a letter, or the profile names no ESC t number for
    // the table it needs (e.g. TCVN-3 capitals without a capital table configured).
    const unprintable = (r: Run) => {
      const e = codec.encode(r.text);
      return e.missing.length > 0 || e.runs.some((x) => x.slot >= profile.codePages.length);
    };
    if (runs.some(unprintable)) {
      const r = renderDoc({ width: doc.width, blocks: [{ kind: 'text', runs, size, align }] }).raster;
      out.push(...encodeRasterPage(r, { cut: false }));
      return;
    }
    out.push(CMD.align(ALIGN[align]), CMD.size(m, m));
    for (const run of runs) {
      out.push(CMD.bold(!!run.bold));
      for (const r of codec.encode(run.text).runs) {
        useSlot(r.slot);
        out.push(r.bytes);
      }
    }
    out.push(CMD.bold(false), CMD.lf);
  };

  const block = (b: Block) => {
    switch (b.kind) {
      case 'text': {
        const size = b.size ?? 24;
        for (const l of breakLinesMono(b.runs, cols(mult(size)))) line(l, size, b.align ?? 'left');
        return;
      }
      case 'columns': {
        const widths = tableWidths.get(tableKey(b))!; // every columns block was grouped above
        // Each cell wraps one character short of its width (the gutter), except the last column.
        const cells = b.cols.map((c, i) => ({ w: widths[i], lines: breakLinesMono(c.runs, Math.max(1, widths[i] - (i < b.cols.length - 1 ? 1 : 0))), align: c.align }));
        const rows = Math.max(...cells.map((c) => c.lines.length));
        for (let i = 0; i < rows; i++) {
          const runs: Run[] = cells.flatMap((c) => {
            const l = c.lines[i] ?? [];
            const len = l.reduce((n, r) => n + [...r.text].length, 0);
            const pad = Math.max(0, c.w - len);
            const left = c.align === 'center' ? Math.floor(pad / 2) : c.align === 'right' ? pad : 0;
            return [{ text: ' '.repeat(left) }, ...l, { text: ' '.repeat(pad - left) }];
          });
          line(runs, 24, 'left');
        }
        return;
      }
      case 'rule':
        line([{ text: (b.dashed ? '- ' : '-').repeat(cols(1)).slice(0, cols(1)) }], 24, 'left');
        return;
      case 'space':
        if (b.dots > 0) out.push(CMD.feed(Math.min(255, b.dots)));
        return;
      case 'qr':
        out.push(CMD.align(ALIGN[b.align ?? 'center']), qrBytes(b.data, b.module ?? 6), CMD.lf);
        return;
      case 'code128': {
        // GS h height, GS w module 2, GS H 0 (no human-readable line), GS k 73 (CODE128, code set B).
        const d = Buffer.concat([Buffer.from('{B'), Buffer.from(b.data, 'latin1')]);
        out.push(CMD.align(ALIGN[b.align ?? 'center']), Buffer.from([0x1d, 0x68, Math.min(255, b.height ?? 64), 0x1d, 0x77, 2, 0x1d, 0x48, 0, 0x1d, 0x6b, 73, d.length]), d, CMD.lf);
        return;
      }
      case 'glyphs':
        for (const l of breakLinesMono([{ text: b.chars.join(' ') }], cols(1))) line(l, 24, 'left');
        return;
      case 'image':
        out.push(...encodeRasterPage(renderDoc({ width: doc.width, blocks: [b] }).raster, { cut: false }));
        return;
      case 'ruler': {
        const n = cols(1);
        line([{ text: Array.from({ length: n }, (_, i) => (i % 10 === 9 ? String(((i + 1) / 10) % 10) : '.')).join('') }], 24, 'left');
        return;
      }
    }
  };
  for (const b of doc.blocks) block(b);
  out.push(CMD.align(0), CMD.size(1, 1));
  if (profile.cutFeed) out.push(CMD.feed(profile.cutFeed));
  out.push(CMD.feedAndCut(0));
  return Buffer.concat(out);
}

export function encodeTextJob(docs: Doc[], profile: TextProfile): Buffer {
  return Buffer.concat([CMD.init, ...docs.map((d) => encodeTextPage(d, profile))]);
}
