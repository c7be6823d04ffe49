/** The configured logo: decoded, scaled to fit, and Floyd–Steinberg dithered to a 1-bit raster. */
import { readFile } from 'node:fs/promises';
import { canvasLib } from '../../drivers/support/lazy.ts';
import { emptyRaster, type Raster } from '../../drivers/protocols/escpos/raster.ts';

export async function loadLogo(path: string, paperWidth: number): Promise<Raster> {
  const img = await canvasLib().loadImage(await readFile(path));
  const scale = Math.min(1, (paperWidth * 0.6) / img.width, 160 / img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const c = canvasLib().createCanvas(w, h);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(img, 0, 0, w, h);
  const px = ctx.getImageData(0, 0, w, h).data;
  const lum = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) lum[i] = (px[i * 4] * 299 + px[i * 4 + 1] * 587 + px[i * 4 + 2] * 114) / 1000;
  const r = emptyRaster(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const black = lum[i] < 128;
      if (black) r.data[y * r.stride + (x >> 3)] |= 0x80 >> (x & 7);
      const err = lum[i] - (black ? 0 : 255);
      if (x + 1 < w) lum[i + 1] += (err * 7) / 16;
      if (y + 1 < h) {
        if (x > 0) lum[i + w - 1] += (err * 3) / 16;
        lum[i + w] += (err * 5) / 16;
        if (x + 1 < w) lum[i + w + 1] += err / 16;
      }
    }
  }
  return r;
}
