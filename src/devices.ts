/**
 * The desk's devices: built from config through the driver registry, started without ever
 * failing the agent, and watched so that every state change becomes an `hcc.device.status` event.
 */
import type { Logger } from 'pino';
import Type, { type Static } from 'typebox';
import { DeviceStatus, DeviceType, type AnyDevice, type BarcodeScanner, type DocumentScanner, type Printer } from '../drivers/contracts.ts';
import { driverRegistry } from '../drivers/registry.ts';
import type { DeviceConfig } from './config/schema.ts';
import type { Events } from './events.ts';

/** A device as GET /devices lists it. */
export const DeviceInfo = Type.Object({
  id: Type.String(),
  type: DeviceType,
  driver: Type.String(),
  state: DeviceStatus.properties.state,
  status: DeviceStatus,
});
export type DeviceInfo = Static<typeof DeviceInfo>;

export class DeviceManager {
  readonly name = 'devices';
  private readonly devices = new Map<string, AnyDevice>();

  constructor(
    private readonly configs: DeviceConfig[],
    private readonly events: Events,
    private readonly log: Logger,
    private readonly dataDir: string,
  ) {}

  /** Builds every device (no I/O) so other components can attach listeners before start(). */
  build(): void {
    for (const cfg of this.configs) {
      const entry = driverRegistry[cfg.type as DeviceType][cfg.driver];
      const device = entry.create(cfg, { log: this.log.child({ device: cfg.id }), dataDir: this.dataDir });
      device.on('status', (status: DeviceStatus) => this.onStatus(device, status));
      this.devices.set(cfg.id, device);
    }
  }

  /** Starts all devices in parallel; a device that cannot open stays disconnected and retries. */
  async start(): Promise<void> {
    await Promise.all(
      [...this.devices.values()].map((d) =>
        d.start().catch((err) => this.log.error({ err, device: d.id }, 'device start failed; it will not be retried')),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.stop().catch((err) => this.log.warn({ err, device: d.id }, 'device stop failed'))));
  }

  get(id: string): AnyDevice | undefined {
    return this.devices.get(id);
  }

  list(): DeviceInfo[] {
    return [...this.devices.values()].map((d) => {
      const status = d.status();
      return { id: d.id, type: d.type, driver: d.driver, state: status.state, status };
    });
  }

  ofType(type: 'barcode'): BarcodeScanner[];
  ofType(type: 'printer'): Printer[];
  ofType(type: 'document-scanner'): DocumentScanner[];
  ofType(type: DeviceType): AnyDevice[] {
    return [...this.devices.values()].filter((d) => d.type === type);
  }

  private onStatus(device: AnyDevice, status: DeviceStatus): void {
    const level = status.state === 'connected' ? 'info' : 'warn';
    this.log[level]({ device: device.id, state: status.state, code: status.code, reason: status.reason }, 'device status');
    try {
      this.events.record('hcc.device.status', device.id, { device: device.id, type: device.type, driver: device.driver, ...status });
    } catch (err) {
      // The store may be full or closing; the status is still visible in GET /devices.
      this.log.error({ err, device: device.id }, 'could not record device status');
    }
  }
}
