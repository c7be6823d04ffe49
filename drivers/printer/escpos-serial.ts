/**
 * ESC/POS over a serial line. Writes are paced to the line rate (and hardware flow control is on
 * when the cable has it) so a 9600-baud printer's small receive buffer never overruns.
 */
import Type from 'typebox';
import type { SerialPort } from 'serialport';
import { serialportLib } from '../support/lazy.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
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
  /** Bound on one send(); default twice the paced air time plus TRANSFER_SLACK_MS. */
  transferTimeoutMs?: number;
}

/** A transfer that could not complete; `messageVi` is the same reason in Vietnamese. */
export class SerialTransferError extends Error {
  constructor(
    message: string,
    readonly messageVi: string,
  ) {
    super(message);
    this.name = 'SerialTransferError';
  }
}

/** Defaults of the serial keys; the schema and the printer both read them. */
export const SERIAL_PRINTER_DEFAULTS = { baudRate: 9600, rtscts: false, xon: false, chunkBytes: 256, paceFactor: 0.9 } as const;

/** Room above the air time for flow control pauses (RTS/CTS, XOFF) a healthy printer may hold. */
const TRANSFER_SLACK_MS = 15000;

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
    return (this.opts.baudRate / 10) * (this.opts.paceFactor ?? SERIAL_PRINTER_DEFAULTS.paceFactor);
  }

  protected async open(): Promise<void> {
    const port = this.makePort({ path: this.opts.path, baudRate: this.opts.baudRate, rtscts: this.opts.rtscts ?? SERIAL_PRINTER_DEFAULTS.rtscts, xon: this.opts.xon ?? SERIAL_PRINTER_DEFAULTS.xon, xoff: this.opts.xon ?? SERIAL_PRINTER_DEFAULTS.xon });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (c: Buffer) => this.received(c));
    port.on('close', () => this.drop(port, { en: `serial port ${this.opts.path} closed; reopening`, vi: `cổng nối tiếp ${this.opts.path} bị đóng; đang mở lại`, code: 'offline' }));
    port.on('error', () => undefined);
    this.port = port;
  }

  /** `port` is unusable: forget it (a later 'close' of it is then ignored) and reopen a new one. */
  private drop(port: SerialPort, text: { en: string; vi: string; code: string }): void {
    if (this.port !== port) return;
    this.port = null;
    this.failWaiters();
    this.lost(text);
  }

  protected async close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }

  protected async send(data: Buffer): Promise<void> {
    // One port for the whole job: the tail of a job must never go to a port reopened meanwhile.
    const port = this.port;
    if (!port || !this.usable(port)) throw this.notConnected();
    const limitMs = this.opts.transferTimeoutMs ?? Math.ceil((2 * data.length * 1000) / this.bytesPerSecond) + TRANSFER_SLACK_MS;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const s = Math.ceil(limitMs / 1000);
        // A write or drain stuck this long wedges the port (later writes queue behind it): reopen.
        this.drop(port, { en: `serial port ${this.opts.path} stopped taking data; reopening`, vi: `cổng nối tiếp ${this.opts.path} ngừng nhận dữ liệu; đang mở lại`, code: 'offline' });
        if (port.isOpen) port.close(() => undefined);
        reject(new SerialTransferError(`transfer to ${this.opts.path} did not complete within ${s} s`, `gửi dữ liệu tới ${this.opts.path} không xong trong ${s} giây`));
      }, limitMs);
    });
    const transfer = this.paced(port, data);
    transfer.catch(() => undefined); // after a timeout it settles unobserved (or never, if the close hangs)
    try {
      await Promise.race([transfer, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async paced(port: SerialPort, data: Buffer): Promise<void> {
    const chunk = this.opts.chunkBytes ?? SERIAL_PRINTER_DEFAULTS.chunkBytes;
    for (let off = 0; off < data.length; off += chunk) {
      const part = data.subarray(off, off + chunk);
      const started = performance.now();
      await this.step(port, (cb) => port.write(part, cb));
      await this.step(port, (cb) => port.drain(cb));
      // Never faster than the line can carry: the rest of this chunk's air time is waited out.
      const due = (part.length / this.bytesPerSecond) * 1000 - (performance.now() - started);
      if (due > 0) await sleep(due);
    }
  }

  /**
   * One write or drain on `port`. serialport queues both until the port opens again when it is
   * closing or closed, and a closed port object is never reopened (open() makes a new one): so
   * refuse up front, and fail a pending call when the port closes under it.
   */
  private step(port: SerialPort, call: (cb: (err?: Error | null) => void) => void): Promise<void> {
    if (!this.usable(port)) return Promise.reject(this.closedMidJob());
    return new Promise<void>((resolve, reject) => {
      const onClose = () => reject(this.closedMidJob());
      port.once('close', onClose);
      call((err) => {
        port.off('close', onClose);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /**
   * `port` is current and open. serialport closes it by itself after a read or write error and says
   * so only once the close is done: a port found closing is reported lost now, not left "connected".
   */
  private usable(port: SerialPort): boolean {
    if (this.port !== port) return false;
    if (port.isOpen) return true;
    this.drop(port, { en: `serial port ${this.opts.path} is closing after an I/O error; reopening`, vi: `cổng nối tiếp ${this.opts.path} đang đóng do lỗi vào/ra; đang mở lại`, code: 'offline' });
    return false;
  }

  private notConnected(): SerialTransferError {
    return new SerialTransferError(`printer ${this.id} is not connected`, `máy in ${this.id} chưa kết nối`);
  }

  private closedMidJob(): SerialTransferError {
    return new SerialTransferError(`serial port ${this.opts.path} closed during the transfer`, `cổng nối tiếp ${this.opts.path} bị đóng khi đang gửi dữ liệu`);
  }
}

export const driver = defineDriver({
  type: 'printer',
  name: 'escpos-serial',
  summary: 'ESC/POS thermal printer on a serial port (RS-232 or USB-serial), with flow control and paced writes.',
  schema: deviceSchema(
    'printer',
    'escpos-serial',
    {
      path: key(Type.String({ minLength: 1, maxLength: 256 }), { title: 'Port', description: 'Serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/…', default: '' }),
      baudRate: key(Type.Integer({ minimum: 1200, maximum: 921600 }), { title: 'Baud rate', description: 'Line speed set on the printer (DIP switches or utility).', default: SERIAL_PRINTER_DEFAULTS.baudRate }),
      rtscts: key(Type.Boolean(), { title: 'RTS/CTS flow control', description: 'Hardware flow control; use it when the cable carries RTS/CTS (DTR/DSR printers: leave off and rely on pacing).', default: SERIAL_PRINTER_DEFAULTS.rtscts }),
      xon: key(Type.Boolean(), { title: 'XON/XOFF flow control', description: 'Software flow control, for printers set to XON/XOFF.', default: SERIAL_PRINTER_DEFAULTS.xon }),
      chunkBytes: key(Type.Integer({ minimum: 16, maximum: 65536 }), { title: 'Write chunk', description: 'Bytes per paced write.', default: SERIAL_PRINTER_DEFAULTS.chunkBytes }),
      paceFactor: key(Type.Number({ minimum: 0.1, maximum: 1 }), { title: 'Pace factor', description: 'Fraction of the line rate used for writes.', default: SERIAL_PRINTER_DEFAULTS.paceFactor }),
      ...escposKeys,
    },
    'A serial ESC/POS printer.',
  ),
  create: (cfg) =>
    new EscPosSerialPrinter(cfg.id, {
      path: cfg.path,
      baudRate: cfg.baudRate,
      rtscts: cfg.rtscts,
      xon: cfg.xon,
      chunkBytes: cfg.chunkBytes,
      paceFactor: cfg.paceFactor,
      ...escposOptions(cfg),
    }),
});
