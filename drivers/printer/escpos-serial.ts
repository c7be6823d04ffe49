/**
 * ESC/POS over a serial line. Writes are paced to the line rate (and hardware flow control is on
 * when the cable has it) so a 9600-baud printer's small receive buffer never overruns.
 */
import Type from 'typebox';
import type { SerialPort } from 'serialport';
import { serialportLib } from '../../src/lazy.ts';
import { deviceSchema, type DriverEntry } from '../driver.ts';
import { key } from '../../src/config/key.ts';
import { StreamPrinter, escposKeys, escposOptions, type EscposOptions } from './base.ts';

export interface SerialOptions extends EscposOptions {
  path: string;
  baudRate: number;
  rtscts?: boolean;
  xon?: boolean;
  /** Bytes per paced write. */
  chunkBytes?: number;
  /** Fraction of the line rate to use (below 1 leaves the printer time to print). */
  paceFactor?: number;
}

/** Injected so tests can swap the port implementation; real default. */
export type PortFactory = (o: { path: string; baudRate: number; rtscts: boolean; xon: boolean; xoff: boolean }) => SerialPort;
const realPort: PortFactory = (o) => new (serialportLib().SerialPort)({ ...o, autoOpen: false });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EscPosSerialPrinter extends StreamPrinter {
  private port: SerialPort | null = null;

  constructor(
    id: string,
    private readonly opts: SerialOptions,
    private readonly makePort: PortFactory = realPort,
  ) {
    super(id, 'escpos-serial', opts);
  }

  /** Line rate in bytes per second (8N1: 10 bits per byte) times the pace factor. */
  get bytesPerSecond(): number {
    return (this.opts.baudRate / 10) * (this.opts.paceFactor ?? 0.9);
  }

  protected async open(): Promise<void> {
    const port = this.makePort({ path: this.opts.path, baudRate: this.opts.baudRate, rtscts: this.opts.rtscts ?? false, xon: this.opts.xon ?? false, xoff: this.opts.xon ?? false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (c: Buffer) => this.received(c));
    port.on('close', () => {
      if (this.port !== port) return;
      this.port = null;
      this.failWaiters();
      this.lost({ en: `serial port ${this.opts.path} closed; reopening`, vi: `cổng nối tiếp ${this.opts.path} bị đóng; đang mở lại`, code: 'offline' });
    });
    port.on('error', () => undefined);
    this.port = port;
  }

  protected async close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }

  protected async send(data: Buffer): Promise<void> {
    const chunk = this.opts.chunkBytes ?? 256;
    for (let off = 0; off < data.length; off += chunk) {
      const port = this.port;
      if (!port) throw new Error(`printer ${this.id} is not connected`);
      const part = data.subarray(off, off + chunk);
      const started = performance.now();
      await new Promise<void>((resolve, reject) => port.write(part, (err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
      // Never faster than the line can carry: the rest of this chunk's air time is waited out.
      const due = (part.length / this.bytesPerSecond) * 1000 - (performance.now() - started);
      if (due > 0) await sleep(due);
    }
  }
}

export const driver: DriverEntry = {
  type: 'printer',
  name: 'escpos-serial',
  summary: 'ESC/POS thermal printer on a serial port (RS-232 or USB-serial), with flow control and paced writes.',
  schema: deviceSchema(
    'printer',
    'escpos-serial',
    {
      path: key(Type.String({ minLength: 1, maxLength: 256 }), { title: 'Port', description: 'Serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/…', default: '' }),
      baudRate: key(Type.Integer({ minimum: 1200, maximum: 921600 }), { title: 'Baud rate', description: 'Line speed set on the printer (DIP switches or utility).', default: 9600 }),
      rtscts: key(Type.Boolean(), { title: 'RTS/CTS flow control', description: 'Hardware flow control; use it when the cable carries RTS/CTS (DTR/DSR printers: leave off and rely on pacing).', default: false }),
      xon: key(Type.Boolean(), { title: 'XON/XOFF flow control', description: 'Software flow control, for printers set to XON/XOFF.', default: false }),
      chunkBytes: key(Type.Integer({ minimum: 16, maximum: 65536 }), { title: 'Write chunk', description: 'Bytes per paced write.', default: 256 }),
      paceFactor: key(Type.Number({ minimum: 0.1, maximum: 1 }), { title: 'Pace factor', description: 'Fraction of the line rate used for writes.', default: 0.9 }),
      ...escposKeys,
    },
    'A serial ESC/POS printer.',
  ),
  create: (cfg) =>
    new EscPosSerialPrinter(cfg.id, {
      path: cfg.path,
      baudRate: cfg.baudRate ?? 9600,
      rtscts: cfg.rtscts,
      xon: cfg.xon,
      chunkBytes: cfg.chunkBytes,
      paceFactor: cfg.paceFactor,
      ...escposOptions(cfg),
    }),
};
