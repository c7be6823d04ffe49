/**
 * USB barcode scanners through `node-hid`, both kinds: HID POS (usage page 0x8C, the decoded
 * data inside the input report) and keyboard-wedge (boot keyboard reports, decoded with the US
 * layout in keymap.ts). node-hid is imported lazily in open(): without libusb the device is in
 * state `error` with the fix in its reason, and the rest of the agent runs.
 */
import { performance } from 'node:perf_hooks';
import type { EventEmitter } from 'node:events';
import Type from 'typebox';
import type { Logger } from 'pino';
import { SCAN_REJECTED, type BarcodeScanner, type RawScan, type ScanRejection } from '../contracts.ts';
import { ManagedDevice, type RetryPolicy, type StatusText } from '../lifecycle.ts';
import type { Clock } from '../support/clock.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { KeyboardWedgeDecoder } from './keymap.ts';

// ---------------------------------------------------------------- binding (injectable)

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  usagePage?: number;
  usage?: number;
  product?: string;
}

/** An open device: emits `data` (one input report) and `error` (e.g. unplugged). */
export interface HidHandle extends EventEmitter {
  close(): Promise<void> | void;
}

export interface HidBinding {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string, opts: { nonExclusive: boolean }): Promise<HidHandle>;
}

export type HidLoader = () => Promise<HidBinding>;

/** The real binding, loaded on first use so a missing libusb only affects HID devices. */
export const loadNodeHid: HidLoader = async () => {
  const hid = await import('node-hid');
  return {
    devices: () => hid.devicesAsync(),
    open: (path, opts) => hid.HIDAsync.open(path, opts),
  };
};

class HidLoadError extends Error {
  override name = 'HidLoadError';
}

// ---------------------------------------------------------------- protocol

/** HID Usage Tables: Bar Code Scanner page (HID POS Usage Tables 1.02, section 3). */
export const HID_POS_USAGE_PAGE = 0x8c;
/** Generic Desktop page, Keyboard usage (HID Usage Tables section 4): keyboard-wedge scanners. */
export const GENERIC_DESKTOP = { usagePage: 0x01, keyboard: 0x06 } as const;

/**
 * Decoded-data input report of HID POS scanners (as documented by e.g. Access-IS and Honeywell):
 * byte 0 report id, 1 data length, 2–4 AIM symbology identifier (`]Q1`), 5… data; the last byte's
 * bit 0 says more reports follow for the same read. Three trailing bytes are not data.
 */
export const POS_REPORT = { lengthAt: 1, aimAt: 2, dataAt: 5, trailer: 3 } as const;

export class HidPosAssembler {
  private parts: Buffer[] = [];
  private size = 0;
  private aimId: string | undefined;
  private truncated = false;

  constructor(
    private readonly reportId: number,
    private readonly maxLength: number,
  ) {}

  /** One input report; returns the read when its last report arrived. */
  feed(report: Buffer): Omit<RawScan, 'receivedAt'> | null {
    if (report.length < POS_REPORT.dataAt + POS_REPORT.trailer || report[0] !== this.reportId) return null;
    const room = report.length - POS_REPORT.dataAt - POS_REPORT.trailer;
    const len = Math.min(report[POS_REPORT.lengthAt], room);
    if (this.parts.length === 0 && report[POS_REPORT.aimAt] === 0x5d) this.aimId = report.subarray(POS_REPORT.aimAt, POS_REPORT.aimAt + 3).toString('latin1');
    const chunk = report.subarray(POS_REPORT.dataAt, POS_REPORT.dataAt + len);
    const take = Math.max(0, Math.min(chunk.length, this.maxLength - this.size));
    if (take < chunk.length) this.truncated = true;
    this.parts.push(Buffer.from(chunk.subarray(0, take)));
    this.size += take;
    if (report[report.length - 1] & 0x01) return null;
    const out: Omit<RawScan, 'receivedAt'> = { data: Buffer.concat(this.parts) };
    if (this.aimId) out.aimId = this.aimId;
    if (this.truncated) out.truncated = true;
    this.parts = [];
    this.size = 0;
    this.aimId = undefined;
    this.truncated = false;
    return out;
  }
}

// ---------------------------------------------------------------- device

export interface HidScannerOptions {
  vendorId?: number;
  productId?: number;
  /** Only interfaces on this usage page (0x8C for HID POS). */
  usagePage?: number;
  /** A hidraw path, when several identical scanners are attached. */
  path?: string;
  /** `auto`: HID POS when the interface is on page 0x8C, keyboard-wedge otherwise. */
  mode: 'auto' | 'pos' | 'keyboard';
  /** Report id of HID POS decoded-data reports. */
  posReportId: number;
  /** Ask for exclusive access (honoured where the OS allows it, e.g. macOS). */
  exclusive: boolean;
  maxLength: number;
}

export const HID_DEFAULTS: HidScannerOptions = { mode: 'auto', posReportId: 2, exclusive: true, maxLength: 4096 };

const LIBUSB_FIX: StatusText = {
  en: 'node-hid cannot load: libusb is missing; install libusb-1.0-0 (apt-get install libusb-1.0-0) and restart the agent',
  vi: 'không nạp được node-hid: thiếu thư viện libusb; cài gói libusb-1.0-0 (apt-get install libusb-1.0-0) rồi khởi động lại',
  code: 'libusb-missing',
};

export class HidBarcodeScanner extends ManagedDevice implements BarcodeScanner {
  readonly type = 'barcode' as const;
  private binding: HidBinding | null = null;
  private handle: HidHandle | null = null;

  constructor(
    id: string,
    private readonly opts: HidScannerOptions,
    private readonly log?: Logger,
    private readonly loader: HidLoader = loadNodeHid,
    retry?: RetryPolicy,
    clock?: Clock,
  ) {
    super(id, 'hid', retry, clock);
  }

  protected async open(): Promise<void> {
    if (!this.binding) {
      try {
        this.binding = await this.loader();
      } catch (err) {
        throw new HidLoadError((err as Error).message);
      }
    }
    const info = this.pick(await this.binding.devices());
    if (!info?.path) throw new Error(`no HID device matching ${this.describeMatch()}`);
    const pos = this.opts.mode === 'pos' || (this.opts.mode === 'auto' && info.usagePage === HID_POS_USAGE_PAGE);
    const handle = await this.binding.open(info.path, { nonExclusive: !this.opts.exclusive });
    const onReport = pos ? this.posReader() : this.wedgeReader();
    handle.on('data', (report: Buffer) => onReport(Buffer.isBuffer(report) ? report : Buffer.from(report)));
    handle.on('error', (err: Error) => this.onGone(handle, `HID read failed: ${err.message}`));
    handle.on('close', () => this.onGone(handle, 'HID device closed'));
    this.handle = handle;
    this.log?.info({ device: this.id, vendorId: info.vendorId, productId: info.productId, mode: pos ? 'pos' : 'keyboard' }, 'HID scanner opened');
  }

  protected async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.close();
  }

  protected override isPermanent(err: unknown): StatusText | null {
    if (!(err instanceof HidLoadError)) return null;
    if (/libusb|shared object/i.test(err.message)) return LIBUSB_FIX;
    return { en: `node-hid cannot load: ${err.message}`, vi: `không nạp được node-hid: ${err.message}`, code: 'hid-unavailable' };
  }

  /** Prefers a HID POS interface, then a keyboard interface, among the matching ones. */
  private pick(list: HidDeviceInfo[]): HidDeviceInfo | undefined {
    const o = this.opts;
    const matching = list.filter(
      (d) =>
        (o.vendorId === undefined || d.vendorId === o.vendorId) &&
        (o.productId === undefined || d.productId === o.productId) &&
        (o.usagePage === undefined || d.usagePage === o.usagePage) &&
        (o.path === undefined || d.path === o.path),
    );
    return (
      matching.find((d) => d.usagePage === HID_POS_USAGE_PAGE && o.mode !== 'keyboard') ??
      matching.find((d) => d.usagePage === GENERIC_DESKTOP.usagePage && d.usage === GENERIC_DESKTOP.keyboard) ??
      matching[0]
    );
  }

  private describeMatch(): string {
    const o = this.opts;
    const h = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
    return [o.vendorId !== undefined && `vendorId ${h(o.vendorId)}`, o.productId !== undefined && `productId ${h(o.productId)}`, o.usagePage !== undefined && `usagePage ${h(o.usagePage)}`, o.path && `path ${o.path}`]
      .filter(Boolean)
      .join(', ');
  }

  private posReader(): (report: Buffer) => void {
    const asm = new HidPosAssembler(this.opts.posReportId, this.opts.maxLength);
    return (report) => {
      const read = asm.feed(report);
      if (read) this.emit('scan', { ...read, receivedAt: performance.now() } satisfies RawScan);
    };
  }

  private wedgeReader(): (report: Buffer) => void {
    const dec = new KeyboardWedgeDecoder(this.opts.maxLength);
    return (report) => {
      const out = dec.feed(report);
      if (!out) return;
      const receivedAt = performance.now();
      if (out.rejected) {
        this.log?.warn({ device: this.id, code: out.rejected.code }, 'keyboard-wedge read rejected');
        this.emit(SCAN_REJECTED, { ...out.rejected, receivedAt } satisfies ScanRejection);
      } else if (out.read) {
        const scan: RawScan = { data: Buffer.from(out.read.text, 'utf8'), receivedAt };
        if (out.read.truncated) scan.truncated = true;
        this.emit('scan', scan);
      }
    };
  }

  private onGone(handle: HidHandle, why: string): void {
    if (this.handle !== handle) return;
    this.handle = null;
    this.log?.warn({ device: this.id }, why);
    void Promise.resolve()
      .then(() => handle.close())
      .catch(() => undefined);
    this.lost({ en: `${why}; retrying`, vi: 'mất kết nối máy quét USB; đang thử lại', code: 'disconnected' });
  }
}

const usbId = (title: string) =>
  key(Type.Integer({ minimum: 0, maximum: 0xffff }), { title, description: `${title} of the scanner (e.g. 0x05e0); with the other keys, picks the device.`, default: undefined });

export const driver = defineDriver({
  type: 'barcode',
  name: 'hid',
  summary: 'USB barcode scanner via node-hid: HID POS (usage page 0x8C) or keyboard-wedge (US layout).',
  schema: {
    // Matching nothing would open the first HID device, which may be the clerk's keyboard.
    anyOf: [{ required: ['vendorId'] }, { required: ['usagePage'] }, { required: ['path'] }],
    ...deviceSchema(
      'barcode',
      'hid',
      {
        vendorId: Type.Optional(usbId('USB vendor id')),
        productId: Type.Optional(usbId('USB product id')),
        usagePage: Type.Optional(key(Type.Integer({ minimum: 0, maximum: 0xffff }), { title: 'Usage page', description: 'Match only interfaces on this HID usage page (0x8C = HID POS bar code scanner, 0x01 = keyboard).', default: undefined })),
        path: Type.Optional(key(Type.String({ minLength: 1, maxLength: 512 }), { title: 'Device path', description: 'hidraw path, to tell identical scanners apart.', default: undefined })),
        mode: key(Type.Union([Type.Literal('auto'), Type.Literal('pos'), Type.Literal('keyboard')]), {
          title: 'Mode',
          description: 'auto: HID POS when the interface is on usage page 0x8C, keyboard-wedge otherwise.',
          default: HID_DEFAULTS.mode,
        }),
        posReportId: key(Type.Integer({ minimum: 0, maximum: 255 }), { title: 'HID POS report id', description: 'Report id of the decoded-data input report.', default: HID_DEFAULTS.posReportId }),
        exclusive: key(Type.Boolean(), { title: 'Exclusive', description: 'Open the device exclusively where the OS allows it (macOS); on Linux use a udev rule to keep a keyboard-wedge scanner away from the console.', default: HID_DEFAULTS.exclusive }),
        maxLength: key(Type.Integer({ minimum: 16, maximum: 65536 }), { title: 'Longest read', description: 'Reads longer than this many bytes are cut and reported as too long.', default: HID_DEFAULTS.maxLength }),
      },
      'A USB barcode scanner (HID POS or keyboard-wedge). Give vendorId/productId, usagePage or path.',
    ),
  },
  create: (cfg, deps) => {
    // The schema requires one of these; a config built in code may not have been validated.
    if (cfg.vendorId === undefined && cfg.usagePage === undefined && cfg.path === undefined) throw new Error(`devices ${cfg.id}: a hid scanner needs vendorId (and productId), usagePage or path`);
    return new HidBarcodeScanner(cfg.id, cfg, deps.log);
  },
});
