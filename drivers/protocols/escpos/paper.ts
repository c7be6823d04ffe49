/**
 * What the paper of an ESC/POS printer would show: an incremental decoder for the commands the
 * agent (and common POS software) sends — text with code pages and sizes, GS v 0 raster, GS ( k
 * QR, feeds and cuts — that answers DLE EOT from a condition. Used by the simulated printer, and by
 * src/printing/render.ts to preview text-mode jobs as the printer would print them.
 * Command formats from the Epson ESC/POS Command Reference.
 */
import { canvasLib } from '../../support/lazy.ts';
import type { PrinterCondition } from '../../contracts.ts';
import { emptyRaster, rasterFromRgba, type Raster } from './raster.ts';
import { encodeStatus } from './status.ts';
import { codecs, type Codec, type CodecName } from './codepages.ts';
import { code128Bars, qrMatrix, type QrLevel } from './symbols.ts';
import { ensureFonts, fontSpec } from '../../support/fonts.ts';

/** Font A of a 203-dpi thermal printer: 12 × 24 dots; default line spacing 30 dots (ESC 2). */
const CELL_W = 12;
const CELL_H = 24;
const DEFAULT_SPACING = 30;

/** ESC t number → (codec, table slot). Model-specific; these are the agent's default profile numbers. */
export type CodePageMap = Record<number, { codec: CodecName; slot: number }>;

interface Cell {
  ch: string;
  bold: boolean;
  w: number;
  h: number;
}

export interface PaperOptions {
  width: number;
  codePages?: CodePageMap;
  /** Reply for DLE EOT n (real-time, answered as soon as the request is parsed). */
  reply?: (bytes: Buffer) => void;
  condition?: () => PrinterCondition;
  /** False while the mechanism is stopped (paper out, cover open…): commands parse, nothing prints. */
  printing?: () => boolean;
}

export class EscPosPaper {
  readonly pages: Raster[] = [];
  private rows: Uint8Array[] = [];
  private pending = Buffer.alloc(0);
  private line: Cell[] = [];
  private align = 0;
  private bold = false;
  private wMul = 1;
  private hMul = 1;
  private spacing = DEFAULT_SPACING;
  private codePage = 0;
  private qr = { data: '', module: 3, level: 'M' as QrLevel };
  private barcode = { height: 162, module: 3 };
  /** Commands it did not understand (skipped), for tests and the admin page. */
  readonly unknown: string[] = [];
  private readonly stride: number;

  constructor(private readonly opts: PaperOptions) {
    this.stride = Math.ceil(opts.width / 8);
  }

  get width(): number {
    return this.opts.width;
  }

  /** Rows printed since the last cut. */
  current(): Raster {
    const r = emptyRaster(this.opts.width, this.rows.length);
    this.rows.forEach((row, y) => r.data.set(row, y * this.stride));
    return r;
  }

  write(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    let i = 0;
    while (i < this.pending.length) {
      const used = this.step(this.pending, i);
      if (used < 0) break;
      i += used;
    }
    this.pending = this.pending.subarray(i);
  }

  // ------------------------------------------------------------ parsing

  /** Consumes one command or byte at `i`; -1 when more bytes are needed. */
  private step(b: Buffer, i: number): number {
    const c = b[i];
    const need = (n: number) => i + n <= b.length;
    if (c === 0x10) {
      if (!need(3)) return -1;
      if (b[i + 1] === 0x04) this.status(b[i + 2]);
      return 3;
    }
    if (c === 0x0a) {
      this.printLine(true);
      return 1;
    }
    if (c === 0x1b) {
      if (!need(2)) return -1;
      const op = b[i + 1];
      const arg = (n: number) => (need(2 + n) ? 2 + n : -1);
      switch (op) {
        case 0x40: // ESC @
          this.printLine(false);
          this.reset();
          return 2;
        case 0x4a: // ESC J n
          if (!need(3)) return -1;
          this.printLine(false);
          this.feed(b[i + 2]);
          return 3;
        case 0x64: // ESC d n
          if (!need(3)) return -1;
          this.printLine(false);
          this.feed(b[i + 2] * this.spacing);
          return 3;
        case 0x61:
          if (!need(3)) return -1;
          this.align = b[i + 2] % 48;
          return 3;
        case 0x45:
          if (!need(3)) return -1;
          this.bold = (b[i + 2] & 1) === 1;
          return 3;
        case 0x21: // ESC ! n: bit 3 emphasized, bit 4 double height, bit 5 double width
          if (!need(3)) return -1;
          this.bold = (b[i + 2] & 0x08) !== 0;
          this.hMul = b[i + 2] & 0x10 ? 2 : 1;
          this.wMul = b[i + 2] & 0x20 ? 2 : 1;
          return 3;
        case 0x74:
          if (!need(3)) return -1;
          this.codePage = b[i + 2];
          return 3;
        case 0x32:
          this.spacing = DEFAULT_SPACING;
          return 2;
        case 0x33:
          if (!need(3)) return -1;
          this.spacing = b[i + 2];
          return 3;
        case 0x2d:
        case 0x4d:
        case 0x47:
        case 0x52:
        case 0x20: // ESC SP right-side spacing
        case 0x7b: // ESC { upside down
          return arg(1);
        case 0x24: // ESC $ nL nH absolute position (ignored: lines are laid out by alignment)
          return arg(2);
        default:
          this.unknown.push(`ESC 0x${op.toString(16)}`);
          return 2;
      }
    }
    if (c === 0x1d) {
      if (!need(2)) return -1;
      const op = b[i + 1];
      switch (op) {
        case 0x76: {
          // GS v 0 m xL xH yL yH d…
          if (!need(8)) return -1;
          const xb = b[i + 4] | (b[i + 5] << 8);
          const yr = b[i + 6] | (b[i + 7] << 8);
          if (!need(8 + xb * yr)) return -1;
          this.printLine(false);
          this.bitImage(b.subarray(i + 8, i + 8 + xb * yr), xb, yr);
          return 8 + xb * yr;
        }
        case 0x56: {
          // GS V m [n]
          if (!need(3)) return -1;
          const m = b[i + 2];
          const withFeed = m === 65 || m === 66 || m === 97 || m === 98 || m === 103 || m === 104;
          if (withFeed && !need(4)) return -1;
          this.printLine(false);
          if (withFeed) this.feed(b[i + 3]);
          this.cut();
          return withFeed ? 4 : 3;
        }
        case 0x21:
          if (!need(3)) return -1;
          this.wMul = ((b[i + 2] >> 4) & 7) + 1;
          this.hMul = (b[i + 2] & 7) + 1;
          return 3;
        case 0x28: {
          // GS ( fn pL pH …
          if (!need(5)) return -1;
          const len = b[i + 3] | (b[i + 4] << 8);
          if (!need(5 + len)) return -1;
          if (b[i + 2] === 0x6b) this.symbol(b.subarray(i + 5, i + 5 + len));
          else this.unknown.push(`GS ( 0x${b[i + 2].toString(16)}`);
          return 5 + len;
        }
        case 0x72: {
          // GS r n: answered in order, after everything before it was processed.
          if (!need(3)) return -1;
          if (b[i + 2] === 1 || b[i + 2] === 49) {
            this.printLine(false);
            this.paperSensor();
          }
          return 3;
        }
        case 0x68: // GS h barcode height
          if (!need(3)) return -1;
          this.barcode.height = Math.max(1, b[i + 2]);
          return 3;
        case 0x77: // GS w barcode module width
          if (!need(3)) return -1;
          this.barcode.module = Math.max(1, Math.min(6, b[i + 2]));
          return 3;
        case 0x6b: {
          // GS k m …: function B (m >= 65) is m n d1…dn; CODE128 (73) data starts with a code set "{A/{B/{C".
          if (!need(4)) return -1;
          const m = b[i + 2];
          if (m < 65) {
            const end = b.indexOf(0, i + 3);
            if (end < 0) return -1;
            this.unknown.push(`GS k ${m}`);
            return end + 1 - i;
          }
          const n = b[i + 3];
          if (!need(4 + n)) return -1;
          if (m === 73) this.code128(b.subarray(i + 4, i + 4 + n).toString('latin1').replace(/^\{[ABC]/, ''));
          else this.unknown.push(`GS k ${m}`);
          return 4 + n;
        }
        case 0x42:
        case 0x48:
        case 0x66:
          return need(3) ? 3 : -1;
        case 0x4c: // GS L left margin
        case 0x57: // GS W print area width
          return need(4) ? 4 : -1;
        default:
          this.unknown.push(`GS 0x${op.toString(16)}`);
          return 2;
      }
    }
    if (c === 0x1c) {
      // FS: Kanji mode commands sent by many Asian-market drivers; none prints anything here.
      if (!need(2)) return -1;
      const op = b[i + 1];
      if (op === 0x2e || op === 0x26) return 2;
      if (op === 0x43 || op === 0x21 || op === 0x2d) return need(3) ? 3 : -1;
      this.unknown.push(`FS 0x${op.toString(16)}`);
      return 2;
    }
    if (c < 0x20) return 1; // other control bytes: ignored, as most printers do
    this.text(c);
    return 1;
  }

  private reset(): void {
    this.barcode = { height: 162, module: 3 };
    this.align = 0;
    this.bold = false;
    this.wMul = this.hMul = 1;
    this.spacing = DEFAULT_SPACING;
    this.codePage = 0;
  }

  private status(n: number): void {
    if (!this.opts.reply || n < 1 || n > 4) return;
    const bytes = encodeStatus(this.opts.condition?.() ?? { online: true, coverOpen: false, paperOut: false, paperNearEnd: false, cutterError: false, unrecoverableError: false, autoRecoverableError: false });
    this.opts.reply(Buffer.from([bytes[n - 1]]));
  }

  private paperSensor(): void {
    if (!this.opts.reply) return;
    const c = this.opts.condition?.();
    this.opts.reply(Buffer.from([(c?.paperNearEnd || c?.paperOut ? 0x03 : 0) | (c?.paperOut ? 0x0c : 0)]));
  }

  // ------------------------------------------------------------ paper

  private blankRow(): Uint8Array {
    return new Uint8Array(this.stride);
  }

  private addRow(row: Uint8Array): void {
    if (this.opts.printing?.() ?? true) this.rows.push(row);
  }

  private feed(n: number): void {
    for (let k = 0; k < n; k++) this.addRow(this.blankRow());
  }

  private cut(): void {
    if (!(this.opts.printing?.() ?? true)) return;
    this.pages.push(this.current());
    this.rows = [];
  }

  private bitImage(data: Buffer, xBytes: number, rows: number): void {
    for (let y = 0; y < rows; y++) {
      const row = this.blankRow();
      row.set(data.subarray(y * xBytes, y * xBytes + Math.min(xBytes, this.stride)));
      this.addRow(row);
    }
  }

  private pushRaster(r: Raster, x0: number): void {
    for (let y = 0; y < r.height; y++) {
      const row = this.blankRow();
      for (let x = 0; x < r.width; x++) {
        const X = x + x0;
        if (X >= 0 && X < this.opts.width && r.data[y * r.stride + (x >> 3)] & (0x80 >> (x & 7))) row[X >> 3] |= 0x80 >> (X & 7);
      }
      this.addRow(row);
    }
  }

  private alignedX(w: number): number {
    return this.align === 1 ? Math.floor((this.opts.width - w) / 2) : this.align === 2 ? this.opts.width - w : 0;
  }

  // ------------------------------------------------------------ text

  private codec(): { codec: Codec; slot: number } | null {
    const m = this.opts.codePages?.[this.codePage];
    return m ? { codec: codecs[m.codec], slot: m.slot } : null;
  }

  private text(byte: number): void {
    const cp = this.codec();
    const ch = cp ? cp.codec.decodeByte(cp.slot, byte) : byte < 0x80 ? String.fromCharCode(byte) : '?';
    const prev = this.line[this.line.length - 1];
    // A combining mark (CP1258 tones) overstrikes the previous character.
    if (prev && /^\p{M}$/u.test(ch)) {
      prev.ch = (prev.ch + ch).normalize('NFC');
      return;
    }
    this.line.push({ ch, bold: this.bold, w: this.wMul, h: this.hMul });
  }

  /** Prints the line buffer; an empty LF feeds one line. */
  private printLine(lf: boolean): void {
    if (!this.line.length) {
      if (lf) this.feed(this.spacing);
      return;
    }
    ensureFonts();
    const h = Math.max(...this.line.map((c) => c.h)) * CELL_H;
    const w = this.line.reduce((n, c) => n + c.w * CELL_W, 0);
    const height = Math.max(h, lf ? this.spacing : 0);
    const canvas = canvasLib().createCanvas(this.opts.width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, this.opts.width, height);
    ctx.fillStyle = '#000';
    let x = this.alignedX(w);
    for (const c of this.line) {
      ctx.save();
      ctx.translate(x, h - c.h * CELL_H);
      ctx.scale(c.w, c.h);
      ctx.font = fontSpec(17, c.bold);
      ctx.fillText(c.ch, 1, 19);
      ctx.restore();
      x += c.w * CELL_W;
    }
    this.line = [];
    const r = rasterFromRgba(ctx.getImageData(0, 0, this.opts.width, height).data, this.opts.width, height);
    this.pushRaster(r, 0);
  }

  // ------------------------------------------------------------ GS k: CODE128

  private code128(data: string): void {
    this.printLine(false);
    const bars = code128Bars(data);
    const w = bars.reduce((a, n) => a + n, 0) * this.barcode.module;
    const r = emptyRaster(w, this.barcode.height);
    let x = 0;
    bars.forEach((n, k) => {
      if (k % 2 === 0) for (let xx = x; xx < x + n * this.barcode.module; xx++) for (let y = 0; y < r.height; y++) r.data[y * r.stride + (xx >> 3)] |= 0x80 >> (xx & 7);
      x += n * this.barcode.module;
    });
    this.pushRaster(r, this.alignedX(w));
  }

  // ------------------------------------------------------------ GS ( k: QR Code

  private symbol(p: Buffer): void {
    const [cn, fn] = [p[0], p[1]];
    if (cn !== 49) {
      this.unknown.push(`GS ( k cn=${cn}`);
      return;
    }
    if (fn === 67) this.qr.module = Math.max(1, Math.min(16, p[2]));
    else if (fn === 69) this.qr.level = (['L', 'M', 'Q', 'H'] as const)[p[2] - 48] ?? 'M';
    else if (fn === 80) this.qr.data = p.subarray(3).toString('latin1');
    else if (fn === 81 && this.qr.data) {
      this.printLine(false);
      const m = qrMatrix(this.qr.data, this.qr.level);
      const side = m.size * this.qr.module;
      const r = emptyRaster(side, side);
      for (let y = 0; y < side; y++)
        for (let x = 0; x < side; x++)
          if (m.modules[Math.floor(y / this.qr.module) * m.size + Math.floor(x / this.qr.module)]) r.data[y * r.stride + (x >> 3)] |= 0x80 >> (x & 7);
      this.pushRaster(r, this.alignedX(side));
    }
  }
}
