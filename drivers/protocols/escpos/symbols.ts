/** QR and Code 128 as module matrices from bwip-js, so raster, PDF and simulator draw them identically. */
import { bwipLib } from '../../support/lazy.ts';

export interface QrMatrix {
  /** Modules per side (quiet zone excluded). */
  size: number;
  /** Row-major, 1 = dark. */
  modules: Uint8Array;
}

export type QrLevel = 'L' | 'M' | 'Q' | 'H';

const qrCache = new Map<string, QrMatrix>();

/** Memoised (a receipt prints the same dossier code on both copies and on its A4 PDF). */
export function qrMatrix(text: string, level: QrLevel = 'M'): QrMatrix {
  const k = `${level}|${text}`;
  const hit = qrCache.get(k);
  if (hit) return hit;
  const [sym] = (bwipLib() as any).raw({ bcid: 'qrcode', text, eclevel: level }) as { pixs: number[]; pixx: number; pixy: number }[];
  const m = { size: sym.pixx, modules: Uint8Array.from(sym.pixs) };
  if (qrCache.size >= 64) qrCache.delete(qrCache.keys().next().value!);
  qrCache.set(k, m);
  return m;
}

/** Code 128 as alternating bar/space widths in modules, starting with a bar. */
export function code128Bars(text: string): number[] {
  const [sym] = (bwipLib() as any).raw({ bcid: 'code128', text }) as { sbs: number[] }[];
  return sym.sbs;
}
