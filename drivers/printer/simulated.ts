/**
 * A simulated ESC/POS printer in the agent's process: keeps what it was sent and answers status
 * from a condition that tests and the admin page can set (paper out, cover open, offline).
 */
import Type from 'typebox';
import type { Printer, PrinterCondition } from '../contracts.ts';
import { ManagedDevice } from '../lifecycle.ts';
import { deviceSchema, type DriverEntry } from '../driver.ts';
import { key } from '../../src/config/key.ts';

export const FINE: PrinterCondition = {
  online: true,
  coverOpen: false,
  paperOut: false,
  paperNearEnd: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
};

export class SimulatedPrinter extends ManagedDevice implements Printer {
  readonly type = 'printer' as const;
  readonly accepts = 'escpos' as const;
  condition: PrinterCondition = { ...FINE };
  readonly received: Buffer[] = [];

  constructor(
    id: string,
    readonly widthDots: number,
  ) {
    super(id, 'simulated');
  }

  protected async open(): Promise<void> {}
  protected async close(): Promise<void> {}

  setCondition(patch: Partial<PrinterCondition>): void {
    this.condition = { ...this.condition, ...patch };
  }

  async write(data: Buffer): Promise<void> {
    if (!this.condition.online || this.condition.paperOut || this.condition.coverOpen) {
      // A real printer takes bytes into its buffer but prints nothing; the status query tells why.
      return;
    }
    this.received.push(Buffer.from(data));
  }

  async queryStatus(): Promise<PrinterCondition> {
    return { ...this.condition };
  }
}

export const driver: DriverEntry = {
  type: 'printer',
  name: 'simulated',
  summary: 'An in-process ESC/POS printer whose status can be set; used by npm start and the tests.',
  schema: deviceSchema(
    'printer',
    'simulated',
    {
      width: key(Type.Union([Type.Literal(384), Type.Literal(512), Type.Literal(576)]), {
        title: 'Width (dots)',
        description: 'Printable width: 384 (58 mm) or 512/576 (80 mm).',
        default: 576,
      }),
    },
    'A simulated thermal printer.',
  ),
  create: (cfg) => new SimulatedPrinter(cfg.id, cfg.width),
};
