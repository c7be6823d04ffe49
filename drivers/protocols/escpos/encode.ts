/**
 * ESC/POS command bytes and the raster encoder. Command names and parameters follow the Epson
 * "ESC/POS Application Programming Guide / Command Reference" (section per constant below).
 */
import { rowIsBlank, type Raster } from './raster.ts';

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const EOT = 0x04;

export const CMD = {
  /** ESC @ — Initialize printer (clears buffer and modes). */
  init: Buffer.from([ESC, 0x40]),
  /** ESC J n — Print and feed paper n × vertical motion unit (1 dot on 203 dpi printers' default GS P). */
  feed: (n: number) => Buffer.from([ESC, 0x4a, n]),
  /** GS V 66 n — Feed to (cutting position + n × vertical motion unit) and partial cut ("function B"). */
  feedAndCut: (n: number) => Buffer.from([GS, 0x56, 66, n]),
  /** DLE EOT n — Transmit real-time status; n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor. */
  status: (n: 1 | 2 | 3 | 4) => Buffer.from([DLE, EOT, n]),
  /**
   * GS r 1 — Transmit paper sensor status. Unlike DLE EOT it is not real-time: the printer answers
   * only after processing everything sent before it, so its reply proves the job left the buffer.
   */
  paperSensor: Buffer.from([GS, 0x72, 1]),
  /** ESC a n — Select justification (0 left, 1 centre, 2 right). */
  align: (n: 0 | 1 | 2) => Buffer.from([ESC, 0x61, n]),
  /** ESC E n — Turn emphasized (bold) mode on/off. */
  bold: (on: boolean) => Buffer.from([ESC, 0x45, on ? 1 : 0]),
  /** GS ! n — Select character size: high nibble width multiplier − 1, low nibble height multiplier − 1. */
  size: (w: number, h: number) => Buffer.from([GS, 0x21, ((w - 1) << 4) | (h - 1)]),
  /** ESC t n — Select character code table (page numbers vary by model; see the printer profile). */
  codePage: (n: number) => Buffer.from([ESC, 0x74, n]),
  lf: Buffer.from([0x0a]),
} as const;

/** GS v 0 m xL xH yL yH d1…dk — Print raster bit image (m = 0 normal density). */
export const GS_V_0 = [GS, 0x76, 0x30, 0x00] as const;

export interface RasterEncodeOptions {
  /** Rows per GS v 0 command; small bands keep cheap printers' receive buffers from overflowing. */
  bandRows?: number;
  /** Extra feed before the cut (dots); GS V 66 already brings the last line past the cutter. */
  cutFeed?: number;
  /** Cut after each page. */
  cut?: boolean;
}

export const DEFAULT_BAND_ROWS = 128;
export const MAX_FEED = 255;

function pushFeed(out: Buffer[], rows: number): void {
  for (let left = rows; left > 0; left -= MAX_FEED) out.push(CMD.feed(Math.min(MAX_FEED, left)));
}

/** Rightmost non-zero byte (+1) over rows [y0, y1): bands are trimmed on the right to save bytes. */
function usedBytes(r: Raster, y0: number, y1: number): number {
  let used = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * r.stride;
    for (let b = r.stride - 1; b >= used; b--) {
      if (r.data[row + b] !== 0) {
        used = b + 1;
        break;
      }
    }
    if (used === r.stride) break;
  }
  return used;
}

function pushBand(out: Buffer[], r: Raster, y0: number, y1: number): void {
  const xBytes = usedBytes(r, y0, y1);
  const rows = y1 - y0;
  const head = Buffer.from([...GS_V_0, xBytes & 0xff, xBytes >> 8, rows & 0xff, rows >> 8]);
  const body = Buffer.alloc(xBytes * rows);
  for (let y = 0; y < rows; y++) body.set(r.data.subarray((y0 + y) * r.stride, (y0 + y) * r.stride + xBytes), y * xBytes);
  out.push(head, body);
}

/**
 * One page as ESC/POS: non-blank runs as GS v 0 bands, blank runs as ESC J paper feed (never as
 * zero bytes), then feed-and-cut so the last printed line ends above the cutter.
 */
export function encodeRasterPage(r: Raster, opts: RasterEncodeOptions = {}): Buffer[] {
  const bandRows = opts.bandRows ?? DEFAULT_BAND_ROWS;
  const out: Buffer[] = [];
  let y = 0;
  while (y < r.height) {
    const blank = rowIsBlank(r, y);
    let end = y + 1;
    while (end < r.height && rowIsBlank(r, end) === blank && (blank || end - y < bandRows)) end++;
    if (blank) pushFeed(out, end - y);
    else pushBand(out, r, y, end);
    y = end;
  }
  if (opts.cut ?? true) {
    if (opts.cutFeed) pushFeed(out, opts.cutFeed);
    out.push(CMD.feedAndCut(0));
  }
  return out;
}

/** A whole job: initialise, then each page (copy) with its cut. */
export function encodeRasterJob(pages: Raster[], opts: RasterEncodeOptions = {}): Buffer {
  return Buffer.concat([CMD.init, ...pages.flatMap((p) => encodeRasterPage(p, opts))]);
}
