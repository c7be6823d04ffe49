/**
 * A simulated ESC/POS printer. In the agent (`driver: simulated`, used by `npm start` and the
 * tests) it prints in-process: every byte goes through the same decoder a real printer would be,
 * and status is asked with real DLE EOT bytes. `SimulatedEscPosPeer` is the same printer on the
 * far side of a real transport — a TCP port or a pty — for testing the other drivers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import Type from 'typebox';
import type { SerialPort } from 'serialport';
import { serialportLib } from '../support/lazy.ts';
import type { PrinterCondition, SimulatablePrinter } from '../contracts.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { CMD } from '../protocols/escpos/encode.ts';
import { decodeStatus, type StatusBytes } from '../protocols/escpos/status.ts';
import { rasterToPng, type Raster } from '../protocols/escpos/raster.ts';
import { EscPosPaper, type CodePageMap } from '../protocols/escpos/paper.ts';
import { PrinterDevice, widthKey } from './base.ts';

export const FINE: PrinterCondition = {
  online: true,
  coverOpen: false,
  paperOut: false,
  paperNearEnd: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
};

/** ESC t numbers the simulator understands by default (Epson: 30/31 TCVN-3, 52 WPC1258). */
export const DEFAULT_CODE_PAGES: CodePageMap = {
  30: { codec: 'tcvn3', slot: 0 },
  31: { codec: 'tcvn3', slot: 1 },
  52: { codec: 'cp1258', slot: 0 },
  94: { codec: 'viscii', slot: 0 },
};

const KEEP_PAGES = 50;

/** The printer mechanism: paper, condition, DLE EOT answers. Shared by both simulated forms. */
export class SimulatedMechanism {
  condition: PrinterCondition = { ...FINE };
  readonly paper: EscPosPaper;
  /** Bytes received in total (including ones dropped while stopped). */
  bytesReceived = 0;

  constructor(
    readonly width: number,
    private readonly reply: (b: Buffer) => void,
    private readonly codePages: CodePageMap = DEFAULT_CODE_PAGES,
  ) {
    this.paper = this.newPaper();
  }

  private newPaper(): EscPosPaper {
    return new EscPosPaper({ width: this.width, codePages: this.codePages, reply: (b) => this.reply(b), condition: () => this.condition, printing: () => !this.stopped });
  }

  get stopped(): boolean {
    const c = this.condition;
    return !c.online || c.coverOpen || c.paperOut || c.cutterError || c.unrecoverableError || c.autoRecoverableError;
  }

  /** A stopped printer prints nothing but still answers real-time status (DLE EOT). */
  feed(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.paper.write(chunk);
    if (this.paper.pages.length > KEEP_PAGES) this.paper.pages.splice(0, this.paper.pages.length - KEEP_PAGES);
  }

  /** The last cut page, or what is on the paper so far when nothing was cut yet. */
  lastPage(): Raster | undefined {
    const cur = this.paper.current();
    return this.paper.pages[this.paper.pages.length - 1] ?? (cur.height ? cur : undefined);
  }
}

export class SimulatedPrinter extends PrinterDevice implements SimulatablePrinter {
  readonly accepts = 'escpos' as const;
  readonly mechanism: SimulatedMechanism;
  private replies: number[] = [];
  /** Simulates an unplugged printer: no transport at all. */
  private unplugged = false;

  constructor(
    id: string,
    readonly widthDots: number,
    codePages: CodePageMap = DEFAULT_CODE_PAGES,
  ) {
    super(id, 'simulated');
    this.mechanism = new SimulatedMechanism(widthDots, (b) => this.replies.push(...b), codePages);
  }

  get condition(): PrinterCondition {
    return { ...this.mechanism.condition };
  }

  get received(): number {
    return this.mechanism.bytesReceived;
  }

  protected async open(): Promise<void> {
    if (this.unplugged) throw new Error('printer unplugged (simulated)');
  }
  protected async close(): Promise<void> {}

  /** Sets paper out, cover open, offline… ; `connected: false` unplugs it. Status shows on the next query. */
  setCondition(patch: Partial<PrinterCondition> & { connected?: boolean }): void {
    const { connected, ...cond } = patch;
    this.mechanism.condition = { ...this.mechanism.condition, ...cond };
    if (connected === false && !this.unplugged) {
      this.unplugged = true;
      this.lost({ en: 'printer unplugged (simulated)', vi: 'máy in bị rút cáp (mô phỏng)', code: 'offline' });
    } else if (connected === true && this.unplugged) {
      this.unplugged = false;
      // The lifecycle's retry loop reopens it within its backoff.
    }
  }

  async write(data: Buffer): Promise<void> {
    if (this.unplugged) throw new Error(`printer ${this.id} is not connected`);
    this.mechanism.feed(data);
  }

  async queryStatus(): Promise<PrinterCondition> {
    if (this.unplugged) throw new Error(`printer ${this.id} is not connected`);
    this.replies = [];
    for (const n of [1, 2, 3, 4] as const) this.mechanism.feed(CMD.status(n));
    return this.report(decodeStatus(this.replies.splice(0, 4) as StatusBytes));
  }

  pages(): Raster[] {
    return this.mechanism.paper.pages;
  }

  lastPagePng(): Buffer | undefined {
    const p = this.mechanism.lastPage();
    return p ? rasterToPng(p) : undefined;
  }
}

/**
 * The simulated printer on the far side of a real transport. `listenTcp()` is a 9100-style raw
 * port (stop() = unplug, listen again on the same port = replug); `attachPty()` opens one end of a
 * socat pty pair the way a serial printer sits on its cable.
 */
export class SimulatedEscPosPeer {
  readonly mechanism: SimulatedMechanism;
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private port: SerialPort | null = null;
  private out: ((b: Buffer) => void) | null = null;
  /** (time ms, bytes) per chunk received, to check write pacing. */
  readonly arrivals: { t: number; n: number }[] = [];

  constructor(width = 576, codePages: CodePageMap = DEFAULT_CODE_PAGES) {
    this.mechanism = new SimulatedMechanism(width, (b) => this.out?.(b), codePages);
  }

  private take(chunk: Buffer): void {
    this.arrivals.push({ t: performance.now(), n: chunk.length });
    this.mechanism.feed(chunk);
  }

  async listenTcp(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((sock) => {
      this.sockets.add(sock);
      this.out = (b) => sock.write(b);
      sock.on('data', (c) => this.take(c));
      sock.on('error', () => undefined);
      sock.on('close', () => this.sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  async attachPty(path: string, baudRate = 9600): Promise<void> {
    const port = new (serialportLib().SerialPort)({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (c: Buffer) => this.take(c));
    port.on('error', () => undefined);
    this.out = (b) => port.write(b);
    this.port = port;
  }

  /** Unplug: close the listener and drop every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
    if (this.port?.isOpen) await new Promise<void>((r) => this.port!.close(() => r()));
    this.port = null;
    this.out = null;
  }
}

/**
 * A simulated A4 printer, standing in for a CUPS PDF queue: it keeps the last PDFs it was sent and
 * is always ready. Lets a desk without CUPS (demos, tests) print A4 receipts where they belong.
 */
export class SimulatedPdfPrinter extends PrinterDevice {
  readonly accepts = 'pdf' as const;
  readonly widthDots = 0;
  readonly documents: Buffer[] = [];

  constructor(id: string) {
    super(id, 'simulated');
  }

  protected async open(): Promise<void> {}
  protected async close(): Promise<void> {}

  async write(data: Buffer): Promise<void> {
    this.documents.push(data);
    if (this.documents.length > KEEP_PAGES) this.documents.shift();
  }

  async queryStatus(): Promise<PrinterCondition> {
    return this.report({ ...FINE });
  }
}

export const driver = defineDriver({
  type: 'printer',
  name: 'simulated',
  summary: 'An in-process ESC/POS printer that decodes what it is sent, answers DLE EOT from a settable condition and shows its paper as PNG; used by npm start and the tests.',
  schema: deviceSchema(
    'printer',
    'simulated',
    {
      width: widthKey,
      format: key(Type.Optional(Type.Union([Type.Literal('escpos'), Type.Literal('pdf')])), { title: 'Format', description: 'escpos: a thermal receipt printer; pdf: an A4 printer that takes PDF (as a CUPS PDF queue does).', default: 'escpos' }),
      paperNearEnd: key(Type.Optional(Type.Boolean()), { title: 'Start with paper near end', description: 'Start in the paper-near-end condition (for demos).', default: false }),
    },
    'A simulated thermal printer, or an A4 one (format: pdf).',
  ),
  create: (cfg) => {
    if (cfg.format === 'pdf') return new SimulatedPdfPrinter(cfg.id);
    const p = new SimulatedPrinter(cfg.id, cfg.width);
    if (cfg.paperNearEnd) p.setCondition({ paperNearEnd: true });
    return p;
  },
});
