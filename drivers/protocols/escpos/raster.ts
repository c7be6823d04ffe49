/**
 * A 1-bit raster, rows packed MSB-first (1 = black dot) exactly as ESC/POS GS v 0 wants them.
 * It is both the preview PNG and the bytes sent to the printer.
 */
import { deflateSync } from 'node:zlib';

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

/**
 * The raster as a 1-bit grayscale PNG (PNG spec, ISO/IEC 15948: IHDR bit depth 1, colour type 0),
 * written straight from the packed rows: a PNG row is the raster row inverted (PNG gray 0 is
 * black), after a filter-type byte. A receipt metres long costs its own size plus deflate,
 * not a 32-bit canvas of it.
 */
export function rasterToPng(r: Raster): Buffer {
  const empty = r.width === 0 || r.height === 0;
  const width = empty ? 1 : r.width;
  const height = empty ? 1 : r.height;
  const stride = Math.ceil(width / 8);
  const rows = Buffer.alloc((stride + 1) * height, empty ? 0xff : 0);
  if (!empty) {
    for (let y = 0; y < height; y++) {
      const o = y * (stride + 1) + 1; // rows[o - 1] = 0: filter type None
      const src = y * r.stride;
      for (let i = 0; i < stride; i++) rows[o + i] = ~r.data[src + i] & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([PNG.bitDepth1, PNG.grayscale, 0, 0, 0], 8); // compression deflate, filter method 0, no interlace
  return Buffer.concat([PNG.signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** PNG constants (ISO/IEC 15948 §5.2 signature, §11.2.2 IHDR). */
const PNG = {
  signature: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  bitDepth1: 1,
  grayscale: 0,
} as const;

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** CRC-32 (ISO 3309, as PNG §5.5 asks); zlib.crc32 needs Node 20.15, the agent runs on 20.9. */
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
