/** A simulated document scanner: renders page images so the whole digitising path runs without hardware. */
import Type from 'typebox';
import { createCanvas } from '@napi-rs/canvas';
import type { DocumentScanner, ScanRequest, ScannedPage } from '../contracts.ts';
import { ScanError } from '../contracts.ts';
import { ManagedDevice } from '../lifecycle.ts';
import { deviceSchema, type DriverEntry } from '../driver.ts';
import { key } from '../../src/config/key.ts';

export class SimulatedDocumentScanner extends ManagedDevice implements DocumentScanner {
  readonly type = 'document-scanner' as const;

  constructor(
    id: string,
    readonly pages: number,
  ) {
    super(id, 'simulated');
  }

  protected async open(): Promise<void> {}
  protected async close(): Promise<void> {}

  async *scan(req: ScanRequest): AsyncIterable<ScannedPage> {
    const count = req.source === 'flatbed' ? 1 : this.pages;
    const dpi = Math.min(req.resolution, 150);
    const width = Math.round(8.27 * dpi);
    const height = Math.round(11.69 * dpi);
    for (let i = 0; i < count; i++) {
      if (req.signal?.aborted) throw new ScanError('cancelled', 'scan cancelled', i);
      const canvas = createCanvas(width, height);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = '#000';
      ctx.font = `${Math.round(dpi / 6)}px sans-serif`;
      ctx.fillText(`Trang ${i + 1}`, dpi, dpi);
      yield { index: i, image: canvas.toBuffer('image/png'), format: 'png', width, height, dpi };
    }
  }
}

export const driver: DriverEntry = {
  type: 'document-scanner',
  name: 'simulated',
  summary: 'Produces rendered page images; the ADF holds `pages` sheets.',
  schema: deviceSchema(
    'document-scanner',
    'simulated',
    { pages: key(Type.Integer({ minimum: 1, maximum: 1000 }), { title: 'Pages in feeder', description: 'Sheets an ADF scan yields.', default: 10 }) },
    'A simulated document scanner.',
  ),
  create: (cfg) => new SimulatedDocumentScanner(cfg.id, cfg.pages),
};
