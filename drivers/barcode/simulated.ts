/** A barcode scanner fed through the API (`POST /devices/:id/simulate`): same events as the hardware. */
import { performance } from 'node:perf_hooks';
import type { SimulatableScanner } from '../contracts.ts';
import { ManagedDevice } from '../lifecycle.ts';
import { defineDriver, deviceSchema } from '../driver.ts';

export class SimulatedBarcodeScanner extends ManagedDevice implements SimulatableScanner {
  readonly type = 'barcode' as const;

  protected async open(): Promise<void> {}
  protected async close(): Promise<void> {}

  simulate(data: string | Buffer, aimId?: string): void {
    if (!this.isConnected) throw new Error(`scanner ${this.id} is not connected`);
    this.emit('scan', { data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), aimId, receivedAt: performance.now() });
  }
}

export const driver = defineDriver({
  type: 'barcode',
  name: 'simulated',
  summary: 'Scans injected through POST /api/v1/devices/:id/simulate.',
  schema: deviceSchema('barcode', 'simulated', {}, 'A simulated barcode scanner.'),
  create: (cfg) => new SimulatedBarcodeScanner(cfg.id, 'simulated'),
});
