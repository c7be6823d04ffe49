/**
 * A 1-bit raster, rows packed MSB-first (1 = black dot) exactly as ESC/POS GS v 0 wants them.
 * It is both the preview PNG and the bytes sent to the printer.
 */
import { canvasLib } from '../../support/lazy.ts';

export interface Raster {
  width: number;
  height: number;
  /** Bytes per row = ceil(width / 8). */
  stride: number;
  data: Uint8Array;
}

export function emptyRaster(width: number, height: number): Raster {
  const stride = Math.ceil(width / 8);
  return { width, height, stride, data: new Uint8Array(stride * height) };
}

/**
 * Threshold RGBA pixels: luminance < 128 is black, transparency is composited on white.
 * Layout canvases are mostly opaque white, skipped a whole pixel (one 32-bit word) at a time.
 */
export function rasterFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Raster {
  const r = emptyRaster(width, height);
  const out = r.data;
  const aligned = rgba.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(rgba.buffer, rgba.byteOffset, width * height) : null;
  for (let y = 0; y < height; y++) {
    const row = y * r.stride;
    const base = y * width;
    for (let x = 0; x < width; x++) {
      if (words && words[base + x] === 0xffffffff) continue;
      const i = (base + x) * 4;
      const a = rgba[i + 3];
      // BT.601 luma over white.
      const lum = (rgba[i] * 299 + rgba[i + 1] * 587 + rgba[i + 2] * 114) / 1000;
      if ((lum * a + 255 * (255 - a)) / 255 < 128) out[row + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return r;
}

export function getDot(r: Raster, x: number, y: number): boolean {
  return (r.data[y * r.stride + (x >> 3)] & (0x80 >> (x & 7))) !== 0;
}

export function setDot(r: Raster, x: number, y: number): void {
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  r.data[y * r.stride + (x >> 3)] |= 0x80 >> (x & 7);
}

export function rowIsBlank(r: Raster, y: number): boolean {
  const start = y * r.stride;
  for (let i = start; i < start + r.stride; i++) if (r.data[i] !== 0) return false;
  return true;
}

/** Stacks pages vertically (the order they come off the printer). */
export function stack(pages: Raster[]): Raster {
  const width = Math.max(0, ...pages.map((p) => p.width));
  const out = emptyRaster(width, pages.reduce((n, p) => n + p.height, 0));
  let y0 = 0;
  for (const p of pages) {
    for (let y = 0; y < p.height; y++) {
      out.data.set(p.data.subarray(y * p.stride, (y + 1) * p.stride), (y0 + y) * out.stride);
    }
    y0 += p.height;
  }
  return out;
}

/** Rows [y, y+h) as a new raster (clipped). */
export function crop(r: Raster, y: number, h: number, x = 0, w = r.width): Raster {
  const out = emptyRaster(w, Math.max(0, Math.min(h, r.height - y)));
  for (let yy = 0; yy < out.height; yy++) for (let xx = 0; xx < w; xx++) if (x + xx < r.width && getDot(r, x + xx, y + yy)) setDot(out, xx, yy);
  return out;
}

export function sameRaster(a: Raster, b: Raster): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  // Compare only real dots: padding bits past `width` are always zero in rasters built here.
  return Buffer.from(a.data).equals(Buffer.from(b.data));
}

export function rasterToPng(r: Raster): Buffer {
  const w = Math.max(1, r.width);
  const h = Math.max(1, r.height);
  const canvas = canvasLib().createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const px = img.data;
  px.fill(255);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (getDot(r, x, y)) {
        const i = (y * w + x) * 4;
        px[i] = px[i + 1] = px[i + 2] = 0;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toBuffer('image/png');
}
