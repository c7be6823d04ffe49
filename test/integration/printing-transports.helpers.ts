/** Reads a job's preview PNG back into a raster. */
import { loadImage, createCanvas } from '@napi-rs/canvas';
import type { TestAgent } from '../helpers/agent.ts';
import { rasterFromRgba, type Raster } from '../../drivers/protocols/escpos/raster.ts';

export async function previewOf(a: TestAgent, id: string): Promise<{ rendered: Raster }> {
  const res = await a.fastify.inject({ method: 'GET', url: `/api/v1/print/jobs/${id}/preview.png`, headers: { host: '127.0.0.1' } });
  const img = await loadImage(res.rawPayload);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { rendered: rasterFromRgba(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height) };
}
