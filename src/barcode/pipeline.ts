/** From a scanner's raw read to an `hcc.barcode.scanned` event. */
import type { BarcodeScanner, RawScan } from '../../drivers/contracts.ts';
import type { Events } from '../events.ts';
import { classify } from './classify.ts';

export class BarcodePipeline {
  constructor(private readonly events: Events) {}

  attach(scanner: BarcodeScanner): void {
    scanner.on('scan', (scan: RawScan) => this.onScan(scanner, scan));
  }

  private onScan(scanner: BarcodeScanner, scan: RawScan): void {
    const raw = scan.data.toString('utf8');
    const c = classify(raw);
    this.events.publish('hcc.barcode.scanned', c.subject, { device: scanner.id, symbology: scan.aimId ?? null, kind: c.kind, raw, parsed: c.parsed });
  }
}
