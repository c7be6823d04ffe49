/**
 * One scanned page → what the session needs: is it a separator (and for which component), is
 * it blank, its thumbnail, and the JPEG that goes into the PDF. Decoding and encoding run in
 * sharp (libuv threads); pixel loops in the analyser's worker.
 */
import { sharpLib } from '../../drivers/support/lazy.ts';

const sharp = (...args: Parameters<ReturnType<typeof sharpLib>>) => sharpLib()(...args);
import type { ScannedPage } from '../../drivers/contracts.ts';
import type { ScanProfile } from './config.ts';
import type { PageAnalyser } from './analyse.ts';
import { parseSeparator } from '../../drivers/protocols/separator-sheet.ts';

export type PageKind = 'page' | 'blank' | 'separator';

export interface ProcessedPage {
  kind: PageKind;
  /** Component named by a separator sheet. */
  component?: string;
  inkRatio: number;
  skewDeg: number;
  /** Small JPEG (160 px wide) for live progress. */
  thumb: Buffer;
  /** The page as JPEG for the PDF (only for kind `page`). */
  jpeg?: Buffer;
  /** True when `jpeg` is the scanner's own JPEG, embedded without re-encoding. */
  passthrough: boolean;
  width: number;
  height: number;
  dpi: number;
}

/** Width of the analysis image: a 100 mm separator QR is ≈ 280 px there, plenty for jsqr. */
export const ANALYSIS_WIDTH = 600;
export const THUMB_WIDTH = 160;
/** Rotations smaller than this are left alone (re-encoding costs more than it gives). */
const MIN_DESKEW_DEG = 0.3;

export async function processPage(page: ScannedPage, profile: ScanProfile, analyser: PageAnalyser): Promise<ProcessedPage> {
  const input = sharp(page.image, { failOn: 'none' });
  const [{ data, info }, thumb] = await Promise.all([
    input.clone().resize({ width: ANALYSIS_WIDTH, withoutEnlargement: true }).greyscale().raw().toBuffer({ resolveWithObject: true }),
    input.clone().resize({ width: THUMB_WIDTH }).flatten({ background: '#ffffff' }).jpeg({ quality: 60 }).toBuffer(),
  ]);
  const a = await analyser.analyse({ grey: data, width: info.width, height: info.height, inkDelta: profile.blankInkDelta, skew: profile.deskew });
  const base = { inkRatio: a.inkRatio, skewDeg: a.skewDeg, thumb, width: page.width, height: page.height, dpi: page.dpi, passthrough: false };
  const component = a.qr ? parseSeparator(a.qr) : null;
  if (component) return { ...base, kind: 'separator', component };
  if (profile.blankRemoval && a.inkRatio < profile.blankMaxInk) return { ...base, kind: 'blank' };

  const rotate = profile.deskew && Math.abs(a.skewDeg) >= MIN_DESKEW_DEG ? a.skewDeg : 0;
  if (page.format === 'jpeg' && rotate === 0) return { ...base, kind: 'page', jpeg: page.image, passthrough: true };
  let img = sharp(page.image, { failOn: 'none' }).flatten({ background: '#ffffff' });
  if (rotate !== 0) {
    // Rotate back, then cut the enlarged canvas to the original size around its centre.
    const r = await img.rotate(-rotate, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    const width = Math.min(page.width, r.info.width);
    const height = Math.min(page.height, r.info.height);
    const left = Math.floor((r.info.width - width) / 2);
    const top = Math.floor((r.info.height - height) / 2);
    img = sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } }).extract({ left, top, width, height });
  }
  if (profile.mode !== 'color') img = img.toColourspace('b-w');
  const jpeg = await img.jpeg({ quality: profile.jpegQuality, mozjpeg: false }).toBuffer();
  return { ...base, kind: 'page', jpeg };
}
