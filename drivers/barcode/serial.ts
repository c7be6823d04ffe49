/**
 * A barcode scanner on a serial port (RS-232, or USB in CDC-ACM / virtual COM mode) through
 * `serialport`. Reads are framed by ScanFramer; when the port closes or its path vanishes
 * (unplugged), the device goes `disconnected` and is reopened with backoff when it returns.
 */
import { existsSync } from 'node:fs';
import Type from 'typebox';
import type { SerialPort } from 'serialport';
import { serialportLib } from '../support/lazy.ts';
import type { Logger } from 'pino';
import type { BarcodeScanner, RawScan } from '../contracts.ts';
import { ManagedDevice, type RetryPolicy } from '../lifecycle.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { ScanFramer, SUFFIXES, type SuffixName } from './framing.ts';

/** The OS serial binding (bindings-cpp); another implementation of its interface can stand in. */
export type SerialBinding = typeof SerialPort.binding;

export interface SerialScannerOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 2;
  /** `none` frames on silence (`interCharTimeoutMs`). */
  suffix: SuffixName | 'none';
  interCharTimeoutMs: number;
  prefix: string;
  aimIdentifiers: boolean;
  maxLength: number;
}

export const SERIAL_DEFAULTS: Omit<SerialScannerOptions, 'path'> = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  suffix: 'CR',
  interCharTimeoutMs: 50,
  prefix: '',
  aimIdentifiers: true,
  maxLength: 4096,
};

/** How often the port path is checked for having vanished. */
const PATH_CHECK_MS = 500;

/** Config may name the suffix (`CR`) or give its characters (`"\r"`, as in CONTRACT.md). */
export function suffixName(value: string): SuffixName | 'none' {
  if (value === 'none' || value === '') return 'none';
  if (value in SUFFIXES) return value as SuffixName;
  const byChars = (Object.keys(SUFFIXES) as SuffixName[]).find((n) => SUFFIXES[n] === value);
  if (!byChars) throw new Error(`unknown suffix ${JSON.stringify(value)}`);
  return byChars;
}

export class SerialBarcodeScanner extends ManagedDevice implements BarcodeScanner {
  readonly type = 'barcode' as const;
  private port: SerialPort | null = null;
  private framer: ScanFramer | null = null;
  private watch: NodeJS.Timeout | null = null;

  constructor(
    id: string,
    private readonly opts: SerialScannerOptions,
    private readonly log?: Logger,
    /** The serialport binding; tests and other platforms may swap it. */
    private readonly binding: SerialBinding = serialportLib().SerialPort.binding,
    retry?: RetryPolicy,
  ) {
    super(id, 'serial', retry);
  }

  protected async open(): Promise<void> {
    const o = this.opts;
    const portOptions = { path: o.path, baudRate: o.baudRate, dataBits: o.dataBits, parity: o.parity, stopBits: o.stopBits, autoOpen: false, binding: this.binding };
    const port = new (serialportLib().SerialPort)(portOptions as ConstructorParameters<typeof SerialPort>[0]);
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const framer = new ScanFramer(
      {
        suffix: o.suffix === 'none' ? null : SUFFIXES[o.suffix],
        silenceMs: o.interCharTimeoutMs,
        prefix: o.prefix,
        maxLength: o.maxLength,
        aimIdentifiers: o.aimIdentifiers,
      },
      this.clock,
    );
    framer.on('data', (scan: RawScan) => this.emit('scan', scan));
    port.pipe(framer);
    port.on('error', (err: Error) => this.onGone(port, `port error: ${err.message}`));
    port.on('close', () => this.onGone(port, `port ${o.path} closed`));
    this.port = port;
    this.framer = framer;
    // An unplugged USB port usually errors at once; a path that vanishes quietly (a by-id link
    // removed, a pty pair torn down) is caught here, within the reconnect budget of 2 s.
    this.watch = setInterval(() => {
      if (!existsSync(o.path)) this.onGone(port, `port ${o.path} vanished`);
    }, PATH_CHECK_MS);
    this.watch.unref();
  }

  /** The port broke or vanished: pass on a read in progress, then reconnect with backoff. */
  private onGone(port: SerialPort, why: string): void {
    if (this.port !== port) return;
    this.port = null;
    this.stopWatch();
    this.framer?.end();
    this.framer = null;
    // Release the fd (and its lock) if the port is still open, or the reopen would be refused.
    if (port.isOpen) port.close(() => undefined);
    this.log?.warn({ device: this.id, path: this.opts.path }, why);
    this.lost({ en: `${why}; retrying`, vi: `mất kết nối cổng ${this.opts.path}; đang thử lại`, code: 'disconnected' });
  }

  private stopWatch(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
  }

  protected async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.stopWatch();
    this.framer?.end();
    this.framer = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

const suffixValues = [...Object.keys(SUFFIXES), ...Object.values(SUFFIXES), 'none'];

export const driver = defineDriver({
  type: 'barcode',
  name: 'serial',
  summary: 'Barcode scanner on a serial port (RS-232 or USB virtual COM) via serialport; suffix or silence framing, AIM identifiers.',
  schema: deviceSchema(
    'barcode',
    'serial',
    {
      path: key(Type.String({ minLength: 1, maxLength: 512 }), { title: 'Port path', description: 'e.g. /dev/ttyACM0 or /dev/serial/by-id/usb-…; a stable by-id path survives replugging into another socket.', default: '' }),
      baudRate: key(Type.Integer({ minimum: 50, maximum: 4000000 }), { title: 'Baud rate', description: 'Line speed; must match the scanner (9600 and 115200 are common).', default: SERIAL_DEFAULTS.baudRate }),
      dataBits: key(Type.Union([5, 6, 7, 8].map((n) => Type.Literal(n))), { title: 'Data bits', description: '5–8.', default: SERIAL_DEFAULTS.dataBits }),
      parity: key(Type.Union(['none', 'even', 'odd', 'mark', 'space'].map((p) => Type.Literal(p))), { title: 'Parity', description: 'none, even, odd, mark or space.', default: SERIAL_DEFAULTS.parity }),
      stopBits: key(Type.Union([Type.Literal(1), Type.Literal(2)]), { title: 'Stop bits', description: '1 or 2.', default: SERIAL_DEFAULTS.stopBits }),
      suffix: key(Type.Union(suffixValues.map((s) => Type.Literal(s))), {
        title: 'Suffix',
        description: 'What ends each read: CR, LF, CRLF, TAB (or the characters themselves, e.g. "\\r"), or none to end a read after interCharTimeoutMs of silence.',
        default: SERIAL_DEFAULTS.suffix,
      }),
      interCharTimeoutMs: key(Type.Integer({ minimum: 5, maximum: 2000 }), { title: 'Silence timeout', description: 'With suffix none: silence in ms that ends a read.', default: SERIAL_DEFAULTS.interCharTimeoutMs }),
      prefix: key(Type.String({ maxLength: 32 }), { title: 'Prefix', description: 'Characters the scanner is set to send before each read; stripped.', default: SERIAL_DEFAULTS.prefix }),
      aimIdentifiers: key(Type.Boolean(), { title: 'AIM identifiers', description: 'Recognise and strip a leading AIM symbology identifier (]C1, ]Q1, ]E0…) and report it as the symbology.', default: SERIAL_DEFAULTS.aimIdentifiers }),
      maxLength: key(Type.Integer({ minimum: 16, maximum: 65536 }), { title: 'Longest read', description: 'Reads longer than this many bytes are cut and reported as too long.', default: SERIAL_DEFAULTS.maxLength }),
    },
    'A barcode scanner on a serial port.',
  ),
  create: (cfg, deps) =>
    new SerialBarcodeScanner(
      cfg.id,
      { ...cfg, suffix: suffixName(cfg.suffix) },
      deps.log,
    ),
});
