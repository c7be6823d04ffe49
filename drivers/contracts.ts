/**
 * The device model: every driver, real or simulated, implements one of these three contracts.
 * A real device, a simulated device and a test fake are interchangeable.
 */
import type { EventEmitter } from 'node:events';
import Type, { type Static } from 'typebox';

export const DeviceType = Type.Union([Type.Literal('barcode'), Type.Literal('printer'), Type.Literal('document-scanner')]);
export type DeviceType = Static<typeof DeviceType>;
export const DEVICE_TYPES: readonly DeviceType[] = DeviceType.anyOf.map((t) => t.const);

/** `connected`: usable now. `disconnected`: absent or closed, being retried. `error`: cannot work until someone acts (e.g. a missing library). */
export const DeviceState = Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('error')]);
export type DeviceState = Static<typeof DeviceState>;

/** A device's status as its driver reports it; also what GET /devices and `hcc.device.status` carry. */
export const DeviceStatus = Type.Object({
  state: DeviceState,
  reason: Type.String({ description: 'Human reason in English, e.g. "port /dev/ttyACM0 vanished; retrying".' }),
  reasonVi: Type.String({ description: 'The same reason in Vietnamese, for staff screens.' }),
  code: Type.Optional(Type.String({ description: 'Machine-readable condition, e.g. paper-out, cover-open, libusb-missing.' })),
  since: Type.String({ description: 'ISO time the state was entered.' }),
});
export type DeviceStatus = Static<typeof DeviceStatus>;

export interface DeviceEvents {
  status: [DeviceStatus];
}

/** Lifecycle shared by all families. Constructors only assign fields; I/O happens in start()/stop(). */
export interface Device extends EventEmitter {
  readonly id: string;
  readonly type: DeviceType;
  readonly driver: string;
  /** Opens the device. Never rejects because the hardware is absent: the device retries with backoff instead. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): DeviceStatus;
}

// ---------------------------------------------------------------- barcode scanners

/** One decoded read as the scanner framed it, before content classification. */
export interface RawScan {
  /** The bytes of the code, prefix/suffix and AIM identifier removed. */
  data: Buffer;
  /** AIM symbology identifier (`]Q1`, `]C1`…) when the scanner sent one. */
  aimId?: string;
  /** Set when the framer had to cut an over-long read. */
  truncated?: boolean;
  /** performance.now() when the last byte arrived (for latency measurements). */
  receivedAt: number;
}

/**
 * Event a barcode driver emits when it received a read it cannot turn into text (e.g. a keyboard
 * wedge sending a key outside the US layout). The pipeline reports it as kind `rejected`.
 */
export const SCAN_REJECTED = 'scan-rejected';

export interface ScanRejection {
  /** Machine-readable, e.g. `unknown-key`. */
  code: string;
  reason: string;
  reasonVi: string;
  receivedAt: number;
}

export interface BarcodeScanner extends Device {
  readonly type: 'barcode';
  on(event: 'scan', listener: (scan: RawScan) => void): this;
  /** Optional: only drivers that can refuse a read emit it. */
  on(event: typeof SCAN_REJECTED, listener: (rejection: ScanRejection) => void): this;
  on(event: 'status', listener: (status: DeviceStatus) => void): this;
}

/** A barcode scanner that accepts injected reads (simulated driver). */
export interface SimulatableScanner extends BarcodeScanner {
  simulate(data: string | Buffer, aimId?: string): void;
}

export function isSimulatableScanner(dev: Device): dev is SimulatableScanner {
  return dev.type === 'barcode' && typeof (dev as Partial<SimulatableScanner>).simulate === 'function';
}

// ---------------------------------------------------------------- printers

/** Decoded real-time status (ESC/POS DLE EOT 1–4); bit tables in drivers/protocols/escpos/status.ts. */
export interface PrinterCondition {
  online: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
}

export interface Printer extends Device {
  readonly type: 'printer';
  /** Raster width in dots (384 for 58 mm, 512/576 for 80 mm); 0 for page printers (A4 through CUPS). */
  readonly widthDots: number;
  /** What the printer accepts: raw ESC/POS bytes or a PDF document. */
  readonly accepts: 'escpos' | 'pdf';
  /** Sends bytes (ESC/POS) or a PDF document; resolves when the transport has taken them all. */
  write(data: Buffer): Promise<void>;
  /** Asks the printer its status. Resolves null when this printer cannot answer status at all. */
  queryStatus(timeoutMs?: number): Promise<PrinterCondition | null>;
  /**
   * Optional: resolves true once the printer confirmed it processed everything sent so far
   * (ESC/POS GS r), false when it is not set up to confirm.
   */
  waitProcessed?(): Promise<boolean>;
  /** Optional: what a printer that can only vouch for a hand-over says of the last write (CUPS: "accepted by CUPS as request N"). */
  readonly lastTransferNote?: string;
  on(event: 'status', listener: (status: DeviceStatus) => void): this;
}

/** A printer whose condition can be set and whose paper can be looked at (simulated driver). */
export interface SimulatablePrinter extends Printer {
  /** What the next DLE EOT will answer. */
  readonly condition: PrinterCondition;
  /** Sets paper out, cover open, offline… ; `connected: false` unplugs it. Status shows on the next query. */
  setCondition(patch: Partial<PrinterCondition> & { connected?: boolean }): void;
  /** The last cut page as a PNG, if anything was printed. */
  lastPagePng(): Buffer | undefined;
}

export function isSimulatablePrinter(dev: Device): dev is SimulatablePrinter {
  return dev.type === 'printer' && typeof (dev as Partial<SimulatablePrinter>).setCondition === 'function';
}

// ---------------------------------------------------------------- document scanners

export type ColorMode = 'color' | 'gray' | 'lineart';
export type ScanSource = 'flatbed' | 'adf' | 'adf-duplex';

export interface ScanRequest {
  source: ScanSource;
  resolution: number;
  mode: ColorMode;
  signal?: AbortSignal;
}

export interface ScannedPage {
  /** 0-based index within this batch. */
  index: number;
  /** Encoded image as the device delivered it. */
  image: Buffer;
  format: 'png' | 'jpeg' | 'pnm' | 'tiff';
  width: number;
  height: number;
  dpi: number;
}

/** Conditions a scan can end in besides success; each is reported as its own status. */
export type ScanErrorCode = 'jam' | 'cover-open' | 'no-documents' | 'busy' | 'offline' | 'cancelled' | 'io';

/** What each condition means to staff; every scanner driver reports its faults in these words. */
export const SCAN_FAULT_TEXT: Record<ScanErrorCode, { en: string; vi: string }> = {
  jam: { en: 'paper jam in the feeder', vi: 'kẹt giấy trong khay nạp' },
  'cover-open': { en: 'scanner cover is open', vi: 'nắp máy quét đang mở' },
  'no-documents': { en: 'no documents in the feeder', vi: 'khay nạp không có giấy' },
  busy: { en: 'scanner is busy', vi: 'máy quét đang bận' },
  offline: { en: 'scanner is offline', vi: 'máy quét mất kết nối' },
  cancelled: { en: 'scan cancelled', vi: 'đã huỷ quét' },
  io: { en: 'scanner I/O error', vi: 'lỗi truyền dữ liệu máy quét' },
};

export class ScanError extends Error {
  constructor(
    readonly code: ScanErrorCode,
    message: string,
    /** Pages that arrived before the error (they are delivered, never dropped). */
    readonly pagesDelivered = 0,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}

export interface DocumentScanner extends Device {
  readonly type: 'document-scanner';
  /** Pages as they arrive; ends when the feeder is empty (or after one flatbed page). Throws ScanError. */
  scan(request: ScanRequest): AsyncIterable<ScannedPage>;
  on(event: 'status', listener: (status: DeviceStatus) => void): this;
}

export type AnyDevice = BarcodeScanner | Printer | DocumentScanner;

/** A driver error's own Vietnamese wording (`messageVi`, e.g. "cổng nối tiếp … bị đóng"), where it gives one. */
export function messageViOf(err: unknown): string | undefined {
  const vi = (err as { messageVi?: unknown } | null)?.messageVi;
  return typeof vi === 'string' && vi ? vi : undefined;
}
