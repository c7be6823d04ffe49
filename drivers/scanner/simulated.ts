/**
 * A simulated document scanner that behaves like a sheet-fed one: a feeder holding sheets
 * (text pages with stamps and photos, blank backs, separator sheets), flatbed/ADF/duplex,
 * and injectable jams and cover-open faults. Pages are real rendered A4 images, so the whole
 * digitising path (blank removal, separator QR, PDF) runs without hardware.
 */
import Type from 'typebox';
import type { Image, SKRSContext2D } from '@napi-rs/canvas';
import { canvasLib, sharpLib } from '../support/lazy.ts';
import type { DocumentScanner, ScanErrorCode, ScanRequest, ScannedPage } from '../contracts.ts';
import { SCAN_FAULT_TEXT, ScanError } from '../contracts.ts';
import { ManagedDevice } from '../lifecycle.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { ensureFonts, fontSpec } from '../support/fonts.ts';
import { SEPARATOR_HINT, SEPARATOR_LAYOUT, SEPARATOR_TITLE, separatorQrPng } from '../protocols/separator-sheet.ts';

/** One sheet of paper in the simulated feeder. */
export type SimSheet =
  | { kind: 'text'; title?: string; stamp?: boolean; photo?: boolean; skewDeg?: number; back?: SimSheet }
  | { kind: 'blank' }
  | { kind: 'separator'; component: string };


const TITLES = ['ĐƠN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN', 'GIẤY KHAI SINH', 'HỢP ĐỒNG CHUYỂN NHƯỢNG', 'BIÊN BẢN XÁC MINH', 'TỜ KHAI ĐĂNG KÝ'];
const WORDS = 'thửa đất số tờ bản đồ địa chỉ tại xã phường thị trấn huyện tỉnh diện tích mục đích sử dụng thời hạn nguồn gốc người đề nghị họ và tên ngày sinh nơi cư trú căn cước công dân cấp ngày nơi cấp cam đoan nội dung trên là đúng sự thật chịu trách nhiệm trước pháp luật'.split(' ');

/** A deterministic default feeder: text pages, an ID copy with a photo, a stamped page. */
export function defaultStack(pages: number, components: string[] = []): SimSheet[] {
  const out: SimSheet[] = [];
  const per = components.length ? Math.max(1, Math.floor(pages / components.length)) : pages;
  for (let i = 0; i < pages; i++) {
    if (components.length && i % per === 0 && i / per < components.length) out.push({ kind: 'separator', component: components[i / per] });
    out.push({ kind: 'text', title: TITLES[i % TITLES.length], photo: i % 5 === 1, stamp: i % 3 === 2 });
  }
  return out;
}

/** Defaults of the driver's keys; the schema and the constructor both read them. */
export const SIMULATED_SCANNER_DEFAULTS = { pages: 10, maxDpi: 200 } as const;

export class SimulatedDocumentScanner extends ManagedDevice implements DocumentScanner {
  readonly type = 'document-scanner' as const;
  private feeder: SimSheet[] | null = null;
  private fault: { code: ScanErrorCode; afterPages: number } | null = null;
  private readonly qrCache = new Map<string, Image>();

  constructor(
    id: string,
    readonly pages: number,
    readonly components: string[] = [],
    /** Rendering resolution cap: real scanners go to 600 dpi, the simulation need not. */
    readonly maxDpi: number = SIMULATED_SCANNER_DEFAULTS.maxDpi,
  ) {
    super(id, 'simulated');
  }

  protected async open(): Promise<void> {}
  protected async close(): Promise<void> {}

  /** Puts sheets in the feeder (tests, demos). Scanned sheets leave it; an empty loaded feeder reports no-documents. */
  load(sheets: SimSheet[]): void {
    this.feeder = [...sheets];
  }

  /** Sheets still in a loaded feeder (null when the default stack is used). */
  remaining(): number | null {
    return this.feeder ? this.feeder.length : null;
  }

  /** The next scan fails with `code` after `afterPages` pages (one shot), like a jam mid-batch. */
  injectFault(code: ScanErrorCode, afterPages = 0): void {
    this.fault = { code, afterPages };
  }

  async *scan(req: ScanRequest): AsyncIterable<ScannedPage> {
    ensureFonts();
    if (this.status().code) this.setStatus('connected', { en: 'ready', vi: 'sẵn sàng' });
    const dpi = Math.min(req.resolution, this.maxDpi);
    const loaded = this.feeder;
    const stack = loaded ?? defaultStack(this.pages, this.components);
    if (req.source !== 'flatbed' && stack.length === 0) this.failWith('no-documents', 0);
    const sheets = req.source === 'flatbed' ? 1 : stack.length;
    let delivered = 0;
    for (let s = 0; s < sheets; s++) {
      const sheet: SimSheet = (loaded ? loaded[0] : stack[s]) ?? { kind: 'blank' };
      const sides: SimSheet[] = req.source === 'adf-duplex' ? [sheet, sheet.kind === 'text' && sheet.back ? sheet.back : { kind: 'blank' }] : [sheet];
      for (const side of sides) {
        if (req.signal?.aborted) throw new ScanError('cancelled', 'scan cancelled', delivered);
        if (this.fault && delivered >= this.fault.afterPages) {
          const code = this.fault.code;
          this.fault = null;
          this.failWith(code, delivered);
        }
        const page = await this.render(side, delivered, dpi, req.mode);
        delivered++;
        yield page;
      }
      // The sheet has left the feeder only once both sides are out.
      if (loaded) loaded.shift();
    }
  }

  private failWith(code: ScanErrorCode, delivered: number): never {
    const t = SCAN_FAULT_TEXT[code];
    this.setStatus('error', { en: t.en, vi: t.vi, code });
    throw new ScanError(code, t.en, delivered);
  }

  private async render(sheet: SimSheet, index: number, dpi: number, mode: ScanRequest['mode']): Promise<ScannedPage> {
    const width = Math.round((210 / 25.4) * dpi);
    const height = Math.round((297 / 25.4) * dpi);
    const canvas = canvasLib().createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    const mm = dpi / 25.4;
    // Paper is never pure white, and the scanner lid leaves a shadow at the edge.
    ctx.fillStyle = '#f7f6f2';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#d9d8d4';
    ctx.fillRect(0, 0, width, Math.round(2 * mm));
    speckle(ctx, width, height, index + 7);
    if (sheet.kind === 'blank') {
      // Faint show-through of the front side: lighter than any ink threshold.
      ctx.save();
      ctx.globalAlpha = 0.05;
      ctx.fillStyle = '#000';
      ctx.font = fontSpec(Math.round(4 * mm));
      for (let y = 40; y < 250; y += 8) ctx.fillText('mặt sau · reverse', width - (40 + (y % 30)) * mm, y * mm);
      ctx.restore();
    } else if (sheet.kind === 'separator') {
      await this.drawSeparator(ctx, sheet.component, mm, width);
    } else {
      ctx.save();
      if (sheet.skewDeg) {
        ctx.translate(width / 2, height / 2);
        ctx.rotate((sheet.skewDeg * Math.PI) / 180);
        ctx.translate(-width / 2, -height / 2);
      }
      drawTextPage(ctx, sheet, index, mm, width);
      ctx.restore();
    }
    const jpeg = canvas.toBuffer('image/jpeg', 92);
    if (mode === 'color') return { index, image: jpeg, format: 'jpeg', width, height, dpi };
    if (mode === 'gray') return { index, image: await sharpLib()(jpeg).greyscale().jpeg({ quality: 90 }).toBuffer(), format: 'jpeg', width, height, dpi };
    return { index, image: await sharpLib()(jpeg).greyscale().threshold(150).png({ colours: 2, palette: true }).toBuffer(), format: 'png', width, height, dpi };
  }

  private async drawSeparator(ctx: SKRSContext2D, component: string, mm: number, width: number): Promise<void> {
    let qr = this.qrCache.get(component);
    if (!qr) {
      qr = await canvasLib().loadImage(await separatorQrPng(component));
      this.qrCache.set(component, qr);
    }
    const L = SEPARATOR_LAYOUT;
    ctx.fillStyle = '#111';
    ctx.textAlign = 'center';
    ctx.font = fontSpec(Math.round(7 * mm), true);
    ctx.fillText(SEPARATOR_TITLE.vi, width / 2, (L.titleY + 6) * mm);
    ctx.font = fontSpec(Math.round(4.2 * mm));
    ctx.fillText(SEPARATOR_TITLE.en, width / 2, (L.titleY + 13) * mm);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(qr, L.qrX * mm, L.qrY * mm, L.qrSize * mm, L.qrSize * mm);
    ctx.font = fontSpec(Math.round(8.5 * mm), true);
    ctx.fillText(component, width / 2, (L.nameY + 8) * mm);
    ctx.font = fontSpec(Math.round(3.9 * mm));
    ctx.fillText(SEPARATOR_HINT.vi.split('. ')[0], width / 2, 255 * mm);
    ctx.textAlign = 'left';
  }
}

function speckle(ctx: SKRSContext2D, width: number, height: number, seed: number): void {
  let s = seed * 9301 + 49297;
  const rnd = () => ((s = (s * 9301 + 49297) % 233280) / 233280);
  ctx.fillStyle = 'rgba(0,0,0,0.25)';
  for (let i = 0; i < 60; i++) ctx.fillRect(rnd() * width, rnd() * height, 1 + rnd() * 2, 1 + rnd() * 2);
}

function drawTextPage(ctx: SKRSContext2D, sheet: Extract<SimSheet, { kind: 'text' }>, index: number, mm: number, width: number): void {
  ctx.fillStyle = '#141414';
  ctx.textAlign = 'center';
  ctx.font = fontSpec(Math.round(4.2 * mm), true);
  ctx.fillText('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', width / 2, 20 * mm);
  ctx.font = fontSpec(Math.round(4 * mm), true);
  ctx.fillText('Độc lập - Tự do - Hạnh phúc', width / 2, 27 * mm);
  ctx.fillRect(width / 2 - 30 * mm, 29 * mm, 60 * mm, 0.4 * mm);
  ctx.font = fontSpec(Math.round(5.5 * mm), true);
  ctx.fillText(sheet.title ?? TITLES[index % TITLES.length], width / 2, 45 * mm);
  ctx.textAlign = 'left';
  ctx.font = fontSpec(Math.round(3.6 * mm));
  let w = index * 7;
  const left = sheet.photo ? 70 : 22;
  for (let line = 0; line < 30; line++) {
    const y = (60 + line * 7) * mm;
    const x0 = (line < 8 ? left : 22) * mm;
    let text = '';
    while (text.length < (line < 8 && sheet.photo ? 60 : 85)) text += WORDS[w++ % WORDS.length] + ' ';
    if (line === 29) text = `Trang ${index + 1} — ${text.slice(0, 40)}`;
    ctx.fillText(text.trim(), x0, y);
  }
  if (sheet.photo) {
    // A 3×4 cm photo: skin-toned face on a blue background.
    const px = 24 * mm, py = 55 * mm, pw = 30 * mm, ph = 40 * mm;
    const g = ctx.createLinearGradient(px, py, px, py + ph);
    g.addColorStop(0, '#5b8fd6');
    g.addColorStop(1, '#2c5aa0');
    ctx.fillStyle = g;
    ctx.fillRect(px, py, pw, ph);
    ctx.fillStyle = '#e0b18c';
    ctx.beginPath();
    ctx.ellipse(px + pw / 2, py + ph * 0.42, pw * 0.26, ph * 0.26, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#1d1d1d';
    ctx.fillRect(px + pw * 0.18, py + ph * 0.72, pw * 0.64, ph * 0.28);
  }
  if (sheet.stamp) {
    // Red seal over the signature, as on every certified copy.
    const cx = width - 55 * mm, cy = 250 * mm, r = 20 * mm;
    ctx.strokeStyle = 'rgba(200,20,30,0.85)';
    ctx.lineWidth = 1.2 * mm;
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.stroke();
    ctx.lineWidth = 0.5 * mm;
    ctx.beginPath();
    ctx.arc(cx, cy, r * 0.72, 0, Math.PI * 2);
    ctx.stroke();
    ctx.fillStyle = 'rgba(200,20,30,0.85)';
    ctx.textAlign = 'center';
    ctx.font = fontSpec(Math.round(3 * mm), true);
    ctx.fillText('ỦY BAN NHÂN DÂN', cx, cy - 2 * mm);
    ctx.fillText('★', cx, cy + 4 * mm);
    ctx.textAlign = 'left';
    ctx.strokeStyle = '#1a2a8a';
    ctx.lineWidth = 0.4 * mm;
    ctx.beginPath();
    ctx.moveTo(cx - 25 * mm, cy + 5 * mm);
    ctx.bezierCurveTo(cx - 10 * mm, cy - 10 * mm, cx, cy + 15 * mm, cx + 20 * mm, cy);
    ctx.stroke();
  }
}

export const driver = defineDriver({
  type: 'document-scanner',
  name: 'simulated',
  summary: 'Renders realistic A4 pages (text, stamps, photos, blank backs, separator sheets); jams can be injected.',
  schema: deviceSchema(
    'document-scanner',
    'simulated',
    {
      pages: key(Type.Integer({ minimum: 1, maximum: 1000 }), { title: 'Pages in feeder', description: 'Sheets an ADF scan yields from the default stack.', default: SIMULATED_SCANNER_DEFAULTS.pages }),
      components: key(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 }), { title: 'Components', description: 'When set, the default stack starts each share of pages with a separator sheet naming the next component.', default: [] }),
      maxDpi: key(Type.Integer({ minimum: 50, maximum: 600 }), { title: 'Maximum resolution', description: 'Pages are rendered at the requested resolution up to this cap.', default: SIMULATED_SCANNER_DEFAULTS.maxDpi }),
    },
    'A simulated document scanner.',
  ),
  create: (cfg) => new SimulatedDocumentScanner(cfg.id, cfg.pages, cfg.components, cfg.maxDpi),
});
