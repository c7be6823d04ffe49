/**
 * What every ESC/POS printer driver shares: config keys, DLE EOT status over a byte stream
 * (decoded into device status with its own code per condition), and paced writes.
 */
import Type from 'typebox';
import type { Printer, PrinterCondition } from '../contracts.ts';
import { ManagedDevice, type RetryPolicy } from '../lifecycle.ts';
import { key } from '../support/config-key.ts';
import { CMD } from '../protocols/escpos/encode.ts';
import { decodeStatus, describeCondition, isGsRReply, isStatusByte, NO_ANSWER, type StatusBytes } from '../protocols/escpos/status.ts';

/** Defaults of the keys below; the schema and the constructors both read them. */
export const ESCPOS_DEFAULTS = { width: 576, statusSupported: true, statusTimeoutMs: 1000, confirmProcessed: false, processedTimeoutMs: 60000 } as const;

export const widthKey = key(Type.Union([Type.Literal(384), Type.Literal(512), Type.Literal(576)]), {
  title: 'Width (dots)',
  description: 'Printable width: 384 (58 mm) or 512/576 (80 mm).',
  default: ESCPOS_DEFAULTS.width,
});

/** Keys every ESC/POS driver takes besides its transport. */
export const escposKeys = {
  width: widthKey,
  statusSupported: key(Type.Boolean(), {
    title: 'Printer answers status',
    description: 'false for printers that never answer DLE EOT: jobs are then reported printed once the bytes are sent, with that weaker guarantee stated on the job.',
    default: ESCPOS_DEFAULTS.statusSupported,
  }),
  statusTimeoutMs: key(Type.Integer({ minimum: 50, maximum: 30000 }), { title: 'Status timeout', description: 'How long to wait for each DLE EOT answer.', default: ESCPOS_DEFAULTS.statusTimeoutMs }),
  confirmProcessed: key(Type.Boolean(), {
    title: 'Confirm the job left the buffer',
    description: 'After a job, send GS r 1 (answered only once everything before it was processed) before the DLE EOT check, so "printed" also means the printer got through the last byte, not only that it is fine now. For printers that support GS r (Epson and most clones).',
    default: ESCPOS_DEFAULTS.confirmProcessed,
  }),
  processedTimeoutMs: key(Type.Integer({ minimum: 1000, maximum: 600000 }), { title: 'Processing timeout', description: 'How long a job may take to be processed when confirmProcessed is on.', default: ESCPOS_DEFAULTS.processedTimeoutMs }),
};

export interface EscposOptions {
  width: number;
  statusSupported?: boolean;
  statusTimeoutMs?: number;
  confirmProcessed?: boolean;
  processedTimeoutMs?: number;
}

/** Config keys of escposKeys → driver options. */
export function escposOptions(cfg: Record<string, any>): EscposOptions {
  return { width: cfg.width, statusSupported: cfg.statusSupported, statusTimeoutMs: cfg.statusTimeoutMs, confirmProcessed: cfg.confirmProcessed, processedTimeoutMs: cfg.processedTimeoutMs };
}

/** A printer device that turns decoded conditions into device status (paper-out, cover-open…). */
export abstract class PrinterDevice extends ManagedDevice implements Printer {
  readonly type = 'printer' as const;
  abstract readonly accepts: 'escpos' | 'pdf';
  abstract readonly widthDots: number;
  /** What the last write achieved, stated on the job (e.g. a CUPS request id). */
  lastTransferNote: string | undefined;
  private active = false;

  constructor(id: string, driver: string, retry?: RetryPolicy) {
    super(id, driver, retry);
  }

  override async start(): Promise<void> {
    this.active = true;
    await super.start();
  }

  override async stop(): Promise<void> {
    this.active = false;
    await super.stop();
  }

  abstract write(data: Buffer): Promise<void>;
  abstract queryStatus(timeoutMs?: number): Promise<PrinterCondition | null>;

  /** Reports a decoded condition as device status; returns it unchanged. */
  protected report(c: PrinterCondition): PrinterCondition {
    if (!this.isRunning) return c;
    const t = describeCondition(c);
    if (!t) this.setStatus('connected', { en: 'ready', vi: 'sẵn sàng' });
    else this.setStatus(t.blocking ? 'error' : 'connected', { en: t.en, vi: t.vi, code: t.code });
    return c;
  }

  protected reportNoAnswer(): void {
    if (this.isRunning) this.setStatus('error', { en: NO_ANSWER.en, vi: NO_ANSWER.vi, code: NO_ANSWER.code });
  }

  /** A printer in `error` because of its condition (not a dead transport) is still reachable. */
  get reachable(): boolean {
    const s = this.status();
    return s.state === 'connected' || (s.state === 'error' && s.code !== undefined && s.code !== 'unavailable');
  }

  protected get isRunning(): boolean {
    return this.active;
  }
}

export class StatusTimeout extends Error {
  constructor(readonly n: number) {
    super(n ? `no answer to DLE EOT ${n}` : 'no answer to GS r 1 (job not confirmed processed)');
    this.name = 'StatusTimeout';
  }
}

/**
 * An ESC/POS printer behind a byte stream (TCP, serial, device file). Subclasses open the
 * transport, pass incoming bytes to `received()` and implement `send()`.
 */
export abstract class StreamPrinter extends PrinterDevice {
  readonly accepts = 'escpos' as const;
  readonly widthDots: number;
  protected readonly statusSupported: boolean;
  protected readonly statusTimeoutMs: number;
  protected readonly confirmProcessed: boolean;
  protected readonly processedTimeoutMs: number;
  private waiters: { accept: (b: number) => boolean; resolve: (b: number) => void }[] = [];
  private lock: Promise<unknown> = Promise.resolve();

  constructor(id: string, driver: string, opts: EscposOptions, retry?: RetryPolicy) {
    super(id, driver, retry);
    this.widthDots = opts.width;
    this.statusSupported = opts.statusSupported ?? ESCPOS_DEFAULTS.statusSupported;
    this.statusTimeoutMs = opts.statusTimeoutMs ?? ESCPOS_DEFAULTS.statusTimeoutMs;
    this.confirmProcessed = opts.confirmProcessed ?? ESCPOS_DEFAULTS.confirmProcessed;
    this.processedTimeoutMs = opts.processedTimeoutMs ?? ESCPOS_DEFAULTS.processedTimeoutMs;
  }

  /** Writes bytes to the transport; resolves when it has taken them (flushed/drained). */
  protected abstract send(data: Buffer): Promise<void>;

  /** Incoming bytes: replies go to whoever asked, in order; anything else (e.g. ASB) is dropped. */
  protected received(chunk: Buffer): void {
    for (const b of chunk) {
      if (this.waiters[0]?.accept(b)) this.waiters.shift()!.resolve(b);
    }
  }

  /** Someone still waits for a reply byte (DLE EOT, or GS r 1 up to processedTimeoutMs): polling transports keep reading. */
  protected get awaitingReply(): boolean {
    return this.waiters.length > 0;
  }

  /** Transports call this when the connection is gone, so pending status reads fail at once. */
  protected failWaiters(): void {
    this.waiters = [];
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  async write(data: Buffer): Promise<void> {
    if (!this.isConnected && !this.reachable) throw new Error(`printer ${this.id} is not connected`);
    await this.serial(() => this.send(data));
  }

  private readByte(n: number, timeoutMs: number, accept: (b: number) => boolean = isStatusByte): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter = {
        accept,
        resolve: (b: number) => {
          clearTimeout(timer);
          resolve(b);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new StatusTimeout(n));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Resolves once the printer has processed everything sent so far (GS r 1 answered), when
   * confirmProcessed is configured; false when not configured.
   */
  async waitProcessed(): Promise<boolean> {
    if (!this.confirmProcessed || !this.statusSupported) return false;
    return this.serial(async () => {
      const reply = this.readByte(0, this.processedTimeoutMs, isGsRReply);
      reply.catch(() => undefined);
      await this.send(CMD.paperSensor);
      await reply;
      return true;
    });
  }

  /** DLE EOT 1–4 one after the other; null when this printer is configured as not answering. */
  async queryStatus(timeoutMs = this.statusTimeoutMs): Promise<PrinterCondition | null> {
    if (!this.statusSupported) return null;
    return this.serial(async () => {
      const bytes: number[] = [];
      try {
        for (const n of [1, 2, 3, 4] as const) {
          const reply = this.readByte(n, timeoutMs);
          reply.catch(() => undefined); // observed below; avoids an unhandled rejection if send() throws first
          await this.send(CMD.status(n));
          bytes.push(await reply);
        }
      } catch (err) {
        if (err instanceof StatusTimeout) this.reportNoAnswer();
        throw err;
      }
      return this.report(decodeStatus(bytes as StatusBytes));
    });
  }
}
