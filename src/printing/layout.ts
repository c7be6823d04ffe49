/**
 * One layout model for every template, rendered either to a 1-bit raster (canvas with real text
 * shaping, Noto Sans) or, by escpos-text.ts, to text-mode ESC/POS for printers with a Vietnamese
 * code page. Layout is two passes: measure (line breaking, heights) then draw at integer positions.
 */
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { canvasLib } from '../../drivers/support/lazy.ts';
import { ensureFonts, fontSpec } from '../../drivers/support/fonts.ts';
import { qrMatrix, code128Bars } from '../../drivers/protocols/escpos/symbols.ts';
import { getDot, rasterFromRgba, type Raster } from '../../drivers/protocols/escpos/raster.ts';

export type Align = 'left' | 'center' | 'right';
export interface Run {
  text: string;
  bold?: boolean;
}

export type Block =
  | { kind: 'text'; runs: Run[]; size?: number; align?: Align }
  | { kind: 'rule'; dashed?: boolean }
  | { kind: 'space'; dots: number }
  | { kind: 'qr'; data: string; module?: number; align?: Align }
  | { kind: 'code128'; data: string; height?: number; align?: Align }
  /** Table row: columns as fractions of the width; text wraps inside its column. */
  | { kind: 'columns'; cols: { runs: Run[]; width: number; align?: Align }[]; size?: number }
  /** Fixed grid of single glyphs (test page); each cell's position is reported in `marks`. */
  | { kind: 'glyphs'; chars: string[]; cell: number; size: number }
  /** Dot ruler: ticks every 8 dots, long every 64, for checking the printable width. */
  | { kind: 'ruler' }
  /** An already black-and-white image (the logo). */
  | { kind: 'image'; raster: Raster; align?: Align };

export interface Doc {
  /** Printable width in dots. */
  width: number;
  blocks: Block[];
}

export interface GlyphMark {
  ch: string;
  x: number;
  y: number;
  cell: number;
  size: number;
}

export interface Rendered {
  raster: Raster;
  glyphs: GlyphMark[];
}

export const DEFAULT_SIZE = 24;
export const MARGIN = 8;

export const text = (s: string, opts: { size?: number; bold?: boolean; align?: Align } = {}): Block => ({ kind: 'text', runs: [{ text: s, bold: opts.bold }], size: opts.size, align: opts.align });
export const labelled = (label: string, value: string, size?: number): Block => ({ kind: 'text', runs: [{ text: `${label}: `, bold: true }, { text: value }], size });

/** Line height and baseline leave room for stacked Vietnamese marks above capitals (Ấ, Ỗ). */
export const lineHeight = (size: number) => Math.ceil(size * 1.42);
export const baseline = (size: number) => Math.round(size * 1.1);

interface Word {
  text: string;
  bold: boolean;
  width: number;
  /** A space precedes this word on the line. */
  space: boolean;
}
interface Line {
  words: Word[];
  width: number;
}

let measureCtx: SKRSContext2D | null = null;
function measurer(): SKRSContext2D {
  ensureFonts();
  measureCtx ??= canvasLib().createCanvas(1, 1).getContext('2d');
  return measureCtx;
}

const widths = new Map<string, number>();

/** Text advance in dots, memoised: templates repeat the same labels on every job. */
function measure(s: string, size: number, bold: boolean): number {
  const k = `${size}|${bold ? 1 : 0}|${s}`;
  let w = widths.get(k);
  if (w === undefined) {
    const ctx = measurer();
    ctx.font = fontSpec(size, bold);
    w = ctx.measureText(s).width;
    if (widths.size > 20000) widths.clear();
    widths.set(k, w);
  }
  return w;
}

/** Greedy line breaking across runs; over-long words are broken by characters. */
export function breakLines(runs: Run[], size: number, maxWidth: number): Line[] {
  const spaceW = measure(' ', size, false);
  const words: Word[] = [];
  let pendingSpace = false;
  for (const run of runs) {
    const parts = run.text.split(/(\s+)/);
    for (const p of parts) {
      if (p === '') continue;
      if (/^\s+$/.test(p)) {
        pendingSpace = true;
        continue;
      }
      words.push({ text: p, bold: !!run.bold, width: measure(p, size, !!run.bold), space: pendingSpace && words.length > 0 });
      pendingSpace = false;
    }
  }
  const lines: Line[] = [];
  let cur: Line = { words: [], width: 0 };
  const push = (w: Word) => {
    const add = (cur.words.length && w.space ? spaceW : 0) + w.width;
    if (cur.words.length && cur.width + add > maxWidth) {
      lines.push(cur);
      cur = { words: [], width: 0 };
    }
    const gap = cur.words.length && w.space ? spaceW : 0;
    cur.words.push({ ...w, space: gap > 0 });
    cur.width += gap + w.width;
  };
  for (const w of words) {
    if (w.width <= maxWidth) {
      push(w);
      continue;
    }
    let chunk = '';
    for (const ch of w.text) {
      if (chunk && measure(chunk + ch, size, w.bold) > maxWidth) {
        push({ ...w, text: chunk, width: measure(chunk, size, w.bold) });
        w.space = false;
        chunk = '';
      }
      chunk += ch;
    }
    if (chunk) push({ ...w, text: chunk, width: measure(chunk, size, w.bold) });
  }
  if (cur.words.length || !lines.length) lines.push(cur);
  return lines;
}

const alignX = (align: Align | undefined, x0: number, avail: number, w: number) =>
  align === 'center' ? x0 + Math.floor((avail - w) / 2) : align === 'right' ? x0 + Math.floor(avail - w) : x0;

type Op = (ctx: SKRSContext2D, y: number, glyphs: GlyphMark[]) => void;

function drawLines(ctx: SKRSContext2D, lines: Line[], size: number, align: Align | undefined, x0: number, avail: number, y: number): void {
  const spaceW = measure(' ', size, false);
  lines.forEach((line, i) => {
    let x = alignX(align, x0, avail, line.width);
    for (const w of line.words) {
      if (w.space) x += spaceW;
      ctx.font = fontSpec(size, w.bold);
      ctx.fillText(w.text, x, y + i * lineHeight(size) + baseline(size));
      x += w.width;
    }
  });
}

/** Where a glyph sits inside its cell; shared with renderGlyph so tests can compare exactly. */
function glyphOrigin(ch: string, size: number, cell: number): { dx: number; dy: number } {
  return { dx: Math.floor((cell - measure(ch, size, false)) / 2), dy: Math.round(cell / 2 + size * 0.36) };
}

function layoutBlock(b: Block, width: number): { height: number; op: Op } {
  const inner = width - 2 * MARGIN;
  switch (b.kind) {
    case 'text': {
      const size = b.size ?? DEFAULT_SIZE;
      const lines = breakLines(b.runs, size, inner);
      return { height: lines.length * lineHeight(size), op: (ctx, y) => drawLines(ctx, lines, size, b.align, MARGIN, inner, y) };
    }
    case 'columns': {
      const size = b.size ?? DEFAULT_SIZE;
      let x = MARGIN;
      const cols = b.cols.map((c) => {
        const w = Math.floor(inner * c.width);
        const col = { x, w, lines: breakLines(c.runs, size, w - 4), align: c.align };
        x += w;
        return col;
      });
      const rows = Math.max(...cols.map((c) => c.lines.length));
      return { height: rows * lineHeight(size), op: (ctx, y) => cols.forEach((c) => drawLines(ctx, c.lines, size, c.align, c.x, c.w - 4, y)) };
    }
    case 'rule':
      return {
        height: 12,
        op: (ctx, y) => {
          for (let x = MARGIN; x < width - MARGIN; x += b.dashed ? 12 : inner) ctx.fillRect(x, y + 5, b.dashed ? 6 : inner, 2);
        },
      };
    case 'space':
      return { height: b.dots, op: () => undefined };
    case 'qr': {
      const m = qrMatrix(b.data);
      const mod = b.module ?? 6;
      const side = m.size * mod;
      const x0 = alignX(b.align ?? 'center', MARGIN, inner, side);
      return {
        height: side + 8,
        op: (ctx, y) => {
          for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (m.modules[r * m.size + c]) ctx.fillRect(x0 + c * mod, y + 4 + r * mod, mod, mod);
        },
      };
    }
    case 'code128': {
      const bars = code128Bars(b.data);
      const total = bars.reduce((a, n) => a + n, 0);
      const mod = Math.max(1, Math.min(3, Math.floor(inner / total)));
      const h = b.height ?? 64;
      const x0 = alignX(b.align ?? 'center', MARGIN, inner, total * mod);
      return {
        height: h + 8,
        op: (ctx, y) => {
          let x = x0;
          bars.forEach((n, i) => {
            if (i % 2 === 0) ctx.fillRect(x, y + 4, n * mod, h);
            x += n * mod;
          });
        },
      };
    }
    case 'glyphs': {
      const perRow = Math.max(1, Math.floor(inner / b.cell));
      const rows = Math.ceil(b.chars.length / perRow);
      return {
        height: rows * b.cell,
        op: (ctx, y, glyphs) => {
          ctx.font = fontSpec(b.size, false);
          b.chars.forEach((ch, i) => {
            const cx = MARGIN + (i % perRow) * b.cell;
            const cy = y + Math.floor(i / perRow) * b.cell;
            const o = glyphOrigin(ch, b.size, b.cell);
            ctx.fillText(ch, cx + o.dx, cy + o.dy);
            glyphs.push({ ch, x: cx, y: cy, cell: b.cell, size: b.size });
          });
        },
      };
    }
    case 'image': {
      const r = b.raster;
      const x0 = alignX(b.align ?? 'center', MARGIN, inner, r.width);
      return {
        height: r.height + 8,
        op: (ctx, y) => {
          for (let yy = 0; yy < r.height; yy++) {
            // Runs of black dots as one rectangle each.
            let x = 0;
            while (x < r.width) {
              if (!getDot(r, x, yy)) {
                x++;
                continue;
              }
              const start = x;
              while (x < r.width && getDot(r, x, yy)) x++;
              ctx.fillRect(x0 + start, y + 4 + yy, x - start, 1);
            }
          }
        },
      };
    }
    case 'ruler':
      return {
        height: 40,
        op: (ctx, y) => {
          ctx.fillRect(0, y + 30, width, 2);
          for (let x = 0; x < width; x += 8) {
            const h = x % 64 === 0 ? 28 : x % 32 === 0 ? 18 : 8;
            ctx.fillRect(x, y + 30 - h, 1, h);
          }
          ctx.fillRect(width - 1, y, 1, 30);
        },
      };
  }
}

/** One reusable canvas per width: a receipt canvas is megabytes, and rendering is synchronous. */
const canvases = new Map<number, Canvas>();
function canvasFor(width: number, height: number): Canvas {
  let c = canvases.get(width);
  if (!c || c.height < height) {
    c = canvasLib().createCanvas(width, Math.max(height, c?.height ?? 0, 1024));
    canvases.set(width, c);
  }
  return c;
}

/** Renders a document to a 1-bit raster at its width; height is what the content needs. */
export function renderDoc(doc: Doc): Rendered {
  ensureFonts();
  const laid = doc.blocks.map((b) => layoutBlock(b, doc.width));
  const height = Math.max(1, laid.reduce((n, l) => n + l.height, 0));
  const canvas = canvasFor(doc.width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, doc.width, height);
  ctx.fillStyle = '#000';
  const glyphs: GlyphMark[] = [];
  let y = 0;
  for (const l of laid) {
    l.op(ctx, y, glyphs);
    y += l.height;
  }
  // canvas.data() is the pixel buffer itself (no copy, unlike getImageData); opaque, so RGBA order is
  // moot. Only the first `height` rows belong to this document.
  return { raster: rasterFromRgba(canvas.data(), doc.width, height), glyphs };
}

/** The renderer's own output for one glyph in a cell, exactly as the glyph grid draws it. */
export function renderGlyph(ch: string, size: number, cell: number): Raster {
  ensureFonts();
  const canvas = canvasLib().createCanvas(cell, cell);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, cell, cell);
  ctx.fillStyle = '#000';
  ctx.font = fontSpec(size, false);
  const o = glyphOrigin(ch, size, cell);
  ctx.fillText(ch, o.dx, o.dy);
  return rasterFromRgba(canvas.data(), cell, cell);
}

/** Line breaking by character count (text mode: the printer's fixed-width font). */
export function breakLinesMono(runs: Run[], cols: number): Run[][] {
  const lines: Run[][] = [];
  let cur: Run[] = [];
  let len = 0;
  const add = (text: string, bold?: boolean) => {
    const last = cur[cur.length - 1];
    if (last && !!last.bold === !!bold) last.text += text;
    else cur.push({ text, bold });
    len += [...text].length;
  };
  for (const run of runs) {
    for (const tok of run.text.split(/(\s+)/)) {
      if (!tok) continue;
      const n = [...tok].length;
      if (/^\s+$/.test(tok)) {
        if (len > 0 && len + 1 <= cols) add(' ', run.bold);
        continue;
      }
      if (len + n > cols && len > 0) {
        lines.push(cur);
        cur = [];
        len = 0;
      }
      let rest = [...tok];
      while (rest.length > cols) {
        add(rest.slice(0, cols).join(''), run.bold);
        lines.push(cur);
        cur = [];
        len = 0;
        rest = rest.slice(cols);
      }
      add(rest.join(''), run.bold);
    }
  }
  if (cur.length || !lines.length) lines.push(cur);
  return lines.map((l) => {
    const last = l[l.length - 1];
    if (last) last.text = last.text.replace(/\s+$/, '');
    return l;
  });
}
