/**
 * Pure pixel analysis of a greyscale page (about 600 px wide): how much ink it carries, whether
 * it holds a separator QR, and how far it is rotated. Runs in a worker (analyse.ts).
 */
import jsQRModule from 'jsqr';

// jsqr is CommonJS with an `exports.default`; under NodeNext typing the callable sits on .default.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as (data: Uint8ClampedArray, width: number, height: number, opts?: { inversionAttempts?: string }) => { data: string } | null;

export interface AnalyseRequest {
  grey: Uint8Array;
  width: number;
  height: number;
  /** A pixel is ink when it is this many levels darker than the paper. */
  inkDelta: number;
  /** Estimate skew (costs a few milliseconds). */
  skew: boolean;
}

export interface AnalyseResult {
  /** Fraction of ink pixels inside the margins. */
  inkRatio: number;
  /** Paper grey level (median of the inner area). */
  paper: number;
  /** Decoded QR text, if a QR was found. */
  qr: string | null;
  /** Estimated rotation of the content in degrees (positive = clockwise); 0 when not asked. */
  skewDeg: number;
}

/** Margins ignored for ink: scanner edge shadows and punched holes live there. */
const MARGIN = 0.05;

export function analyseGrey(req: AnalyseRequest): AnalyseResult {
  const { grey, width, height, inkDelta } = req;
  const x0 = Math.floor(width * MARGIN), x1 = Math.ceil(width * (1 - MARGIN));
  const y0 = Math.floor(height * MARGIN), y1 = Math.ceil(height * (1 - MARGIN));
  const hist = new Uint32Array(256);
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) hist[grey[row + x]]++;
  }
  const total = (x1 - x0) * (y1 - y0);
  let acc = 0, paper = 255;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc * 2 >= total) { paper = v; break; }
  }
  const cut = paper - inkDelta;
  let ink = 0;
  for (let v = 0; v < Math.max(0, cut); v++) ink += hist[v];
  // A page whose paper is dark (a black cover, a solid print) is never blank.
  const inkRatio = paper < 128 ? 1 : total > 0 ? ink / total : 0;

  let qr: string | null = null;
  // A blank page cannot hold a QR; skip the decoder there (the common duplex case).
  if (inkRatio > 0.001) qr = findQr(grey, width, height);
  const skewDeg = req.skew && inkRatio > 0.001 ? estimateSkew(grey, width, height, cut) : 0;
  return { inkRatio, paper, qr, skewDeg };
}

/**
 * QR search on a half-size copy (≈ 300 px wide): the separator QR spans half the page width, so its
 * modules stay ≥ 4 px there, and jsqr, whose cost grows with the pixel count, runs 4× faster —
 * it is the most expensive step for ordinary text pages that hold no QR at all.
 */
function findQr(grey: Uint8Array, width: number, height: number): string | null {
  const w = width >> 1, h = height >> 1;
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * width, r1 = r0 + width;
    for (let x = 0; x < w; x++) {
      const v = (grey[r0 + 2 * x] + grey[r0 + 2 * x + 1] + grey[r1 + 2 * x] + grey[r1 + 2 * x + 1]) >> 2;
      const j = (y * w + x) * 4;
      rgba[j] = rgba[j + 1] = rgba[j + 2] = v;
      rgba[j + 3] = 255;
    }
  }
  return jsQR(rgba, w, h, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/**
 * Projection-profile skew estimate: text lines give the sharpest row histogram when the page is
 * projected at the angle the lines run. Coarse search over ±5°, then refined to 0.1°.
 */
export function estimateSkew(grey: Uint8Array, width: number, height: number, cut: number): number {
  const xs: number[] = [], ys: number[] = [];
  const x0 = Math.floor(width * MARGIN), x1 = Math.ceil(width * (1 - MARGIN));
  const y0 = Math.floor(height * MARGIN), y1 = Math.ceil(height * (1 - MARGIN));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (grey[y * width + x] < cut) { xs.push(x); ys.push(y); }
  }
  if (xs.length < 50) return 0;
  const bins = new Float64Array(height * 2);
  const offset = Math.floor(height / 2);
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const b = Math.round(ys[i] - xs[i] * t) + offset;
      if (b >= 0 && b < bins.length) bins[b]++;
    }
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i] * bins[i];
    return s;
  };
  let best = 0, bestScore = -1;
  for (let d = -5; d <= 5.0001; d += 0.5) {
    const s = score(d);
    if (s > bestScore) { bestScore = s; best = d; }
  }
  const coarse = best;
  for (let d = coarse - 0.5; d <= coarse + 0.5001; d += 0.1) {
    const s = score(d);
    if (s > bestScore) { bestScore = s; best = d; }
  }
  return Math.round(best * 10) / 10;
}
