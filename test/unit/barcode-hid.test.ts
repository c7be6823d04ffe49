/** The HID driver with an injected node-hid binding fed constructed reports. */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { SCAN_REJECTED, type DeviceStatus, type RawScan, type ScanRejection } from '../../drivers/contracts.ts';
import { HID_DEFAULTS, HidBarcodeScanner, driver, type HidBinding, type HidDeviceInfo, type HidHandle, type HidScannerOptions } from '../../drivers/barcode/hid.ts';
import { MODIFIER, US_KEYMAP, translateKey } from '../../drivers/barcode/keymap.ts';
import { BarcodePipeline } from '../../src/barcode/pipeline.ts';
import type { Events } from '../../src/events.ts';
import { FakeClock } from '../helpers/clock.ts';
import { waitFor } from '../helpers/wait.ts';

class FakeHandle extends EventEmitter implements HidHandle {
  closed = false;
  close(): void {
    this.closed = true;
  }
  report(bytes: number[] | Buffer): void {
    this.emit('data', Buffer.from(bytes));
  }
}

class FakeHid implements HidBinding {
  list: HidDeviceInfo[] = [];
  opened: { path: string; opts: { nonExclusive: boolean }; handle: FakeHandle }[] = [];
  async devices() {
    return this.list;
  }
  async open(path: string, opts: { nonExclusive: boolean }) {
    const handle = new FakeHandle();
    this.opened.push({ path, opts, handle });
    return handle;
  }
  get handle(): FakeHandle {
    return this.opened.at(-1)!.handle;
  }
}

const POS_IF: HidDeviceInfo = { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw3', usagePage: 0x8c, usage: 0x02 };
const KBD_IF: HidDeviceInfo = { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw2', usagePage: 0x01, usage: 0x06 };
const FAST = { initialMs: 20, maxMs: 50 };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function setup(opts: Partial<HidScannerOptions>, list: HidDeviceInfo[] = [POS_IF, KBD_IF], clock?: FakeClock) {
  const hid = new FakeHid();
  hid.list = list;
  const scanner = new HidBarcodeScanner('hand', { ...HID_DEFAULTS, vendorId: 0x0c2e, productId: 0x0b61, ...opts }, undefined, async () => hid, FAST, clock);
  const scans: RawScan[] = [];
  const rejections: ScanRejection[] = [];
  const statuses: DeviceStatus[] = [];
  scanner.on('scan', (s: RawScan) => scans.push(s));
  scanner.on(SCAN_REJECTED, (r: ScanRejection) => rejections.push(r));
  scanner.on('status', (s: DeviceStatus) => statuses.push(s));
  stops.push(() => scanner.stop());
  await scanner.start();
  return { hid, scanner, scans, rejections, statuses };
}

/** HID POS decoded-data reports (64 bytes: id 2, length, AIM id, 56 data bytes, 3 trailer bytes). */
function posReports(aim: string, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off === 0 || off < data.length; off += 56) {
    const part = data.subarray(off, off + 56);
    const r = Buffer.alloc(64);
    r[0] = 2;
    r[1] = part.length;
    r.write(aim, 2, 'latin1');
    part.copy(r, 5);
    r[63] = off + 56 < data.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

/** Boot keyboard reports typing `text` then Enter: press, release for each key. */
function wedgeReports(text: string): Buffer[] {
  const out: Buffer[] = [];
  const release = Buffer.alloc(8);
  for (const ch of text) {
    const entry = [...US_KEYMAP].find(([, pair]) => pair.includes(ch));
    if (!entry) throw new Error(`no US key for ${ch}`);
    const [usage, pair] = entry;
    const shift = pair[0] === ch ? 0 : MODIFIER.leftShift;
    out.push(Buffer.from([shift, 0, usage, 0, 0, 0, 0, 0]), release);
  }
  out.push(Buffer.from([0, 0, 0x28, 0, 0, 0, 0, 0]), release);
  return out;
}

describe('HID POS (usage page 0x8C)', () => {
  it('reads one report with its AIM identifier', async () => {
    const { hid, scans, scanner } = await setup({});
    expect(scanner.status().state).toBe('connected');
    expect(hid.opened[0].path).toBe('/dev/hidraw3'); // the POS interface is preferred over the keyboard one
    expect(hid.opened[0].opts.nonExclusive).toBe(false);
    for (const r of posReports(']C1', Buffer.from('EE123456785VN'))) hid.handle.report(r);
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ aimId: ']C1' });
    expect(scans[0].data.toString()).toBe('EE123456785VN');
  });

  it('joins a long read continued over several reports (UTF-8 split mid-character)', async () => {
    const { hid, scans } = await setup({});
    const qr = Buffer.from('001099012345|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021');
    const reports = posReports(']Q1', qr);
    expect(reports.length).toBeGreaterThan(1);
    for (const r of reports) hid.handle.report(r);
    expect(scans).toHaveLength(1);
    expect(scans[0].data.equals(qr)).toBe(true);
  });

  it('cuts reads over maxLength and marks them truncated; ignores other report ids', async () => {
    const { hid, scans } = await setup({ maxLength: 64 });
    hid.handle.report([5, ...Buffer.alloc(63)]);
    for (const r of posReports(']Q1', Buffer.alloc(200, 0x41))) hid.handle.report(r);
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ truncated: true });
    expect(scans[0].data.length).toBe(64);
  });
});

describe('keyboard-wedge (boot keyboard reports, US layout)', () => {
  it('turns key presses with Shift into text; Enter ends the read; repeated keys count', async () => {
    const { hid, scans } = await setup({ mode: 'keyboard' });
    expect(hid.opened[0].path).toBe('/dev/hidraw2');
    const code = '000.00.21.H30-261122-0001';
    for (const r of wedgeReports(code)) hid.handle.report(r);
    for (const r of wedgeReports('Ab|~_"?')) hid.handle.report(r);
    expect(scans.map((s) => s.data.toString())).toEqual([code, 'Ab|~_"?']);
  });

  it('handles rollover reports (next key pressed before the previous is released) and a report id byte', async () => {
    const { hid, scans } = await setup({ mode: 'keyboard' });
    // E (shift+0x08), then E still held while 1 (0x1e) is pressed, then release, then Enter.
    hid.handle.report([MODIFIER.rightShift, 0, 0x08, 0, 0, 0, 0, 0]);
    hid.handle.report([0, 0, 0x08, 0x1e, 0, 0, 0, 0]);
    hid.handle.report([0, 0, 0, 0, 0, 0, 0, 0]);
    hid.handle.report([1, 0, 0, 0x59, 0, 0, 0, 0, 0]); // 9 bytes: report id 1, keypad 1
    hid.handle.report([0, 0, 0, 0x58, 0, 0, 0, 0]); // keypad Enter
    expect(scans.map((s) => s.data.toString())).toEqual(['E11']);
  });

  it('rejects a read containing a non-US key, clearly, and recovers for the next read', async () => {
    const { hid, scans, rejections } = await setup({ mode: 'keyboard' });
    const reports = wedgeReports('AB');
    reports.splice(2, 0, Buffer.from([0, 0, 0x64, 0, 0, 0, 0, 0]), Buffer.alloc(8)); // ISO key next to left Shift
    for (const r of reports) hid.handle.report(r);
    expect(scans).toEqual([]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ code: 'non-us-key' });
    expect(rejections[0].reason).toMatch(/0x64.*US keyboard layout/);
    expect(rejections[0].reasonVi).toMatch(/bàn phím/);
    for (const r of wedgeReports('OK')) hid.handle.report(r);
    expect(scans.map((s) => s.data.toString())).toEqual(['OK']);
  });

  it('rejects AltGr characters and unknown keys', () => {
    expect(translateKey(0x08, MODIFIER.rightAlt)).toMatchObject({ type: 'reject', code: 'modifier-key' });
    expect(translateKey(0x3a, 0)).toMatchObject({ type: 'reject', code: 'unknown-key' }); // F1
    expect(translateKey(0x04, MODIFIER.leftShift)).toEqual({ type: 'char', char: 'A' });
  });

  it('a rejection reaches clients as kind rejected', async () => {
    const { hid, scanner } = await setup({ mode: 'keyboard' });
    const published: { type: string; data: any }[] = [];
    const events = { publish: (type: string, _s: unknown, data: unknown) => published.push({ type, data: data as any }), record: () => { throw new Error('not forwarded'); } };
    new BarcodePipeline(events as unknown as Events).attach(scanner);
    for (const r of [Buffer.from([0, 0, 0x32, 0, 0, 0, 0, 0]), Buffer.alloc(8), Buffer.from([0, 0, 0x28, 0, 0, 0, 0, 0])]) hid.handle.report(r);
    expect(published).toEqual([{ type: 'hcc.barcode.scanned', data: expect.objectContaining({ device: 'hand', kind: 'rejected', raw: '', parsed: expect.objectContaining({ code: 'non-us-key' }) }) }]);
  });
});

describe('lifecycle', () => {
  it('without libusb the device is in error with the fix, and is not retried', async () => {
    let loads = 0;
    const clock = new FakeClock();
    const scanner = new HidBarcodeScanner(
      'hand',
      { ...HID_DEFAULTS, vendorId: 1 },
      undefined,
      async () => {
        loads++;
        throw new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
      },
      FAST,
      clock,
    );
    stops.push(() => scanner.stop());
    await scanner.start();
    expect(clock.pending()).toEqual([]); // no retry scheduled
    expect(scanner.status()).toMatchObject({ state: 'error', code: 'libusb-missing' });
    expect(scanner.status().reason).toMatch(/install libusb-1\.0-0/);
    expect(scanner.status().reasonVi).toMatch(/libusb-1\.0-0/);
    expect(loads).toBe(1);
  });

  it('waits for an absent scanner and survives unplug/replug', async () => {
    const clock = new FakeClock();
    const { hid, scanner, scans } = await setup({}, [], clock);
    expect(scanner.status()).toMatchObject({ state: 'disconnected' });
    expect(scanner.status().reason).toMatch(/no HID device matching vendorId 0x0c2e, productId 0x0b61/);
    hid.list = [POS_IF];
    await clock.fireNext();
    expect(scanner.status().state).toBe('connected');
    const first = hid.handle;
    hid.list = [];
    first.emit('error', new Error('could not read from HID device'));
    expect(scanner.status().state).toBe('disconnected');
    await waitFor(() => first.closed, { what: 'the lost handle closed' });
    hid.list = [POS_IF];
    await clock.fireNext();
    expect(scanner.status().state).toBe('connected');
    for (const r of posReports(']Q1', Buffer.from('again'))) hid.handle.report(r);
    expect(scans.map((s) => s.data.toString())).toEqual(['again']);
  });

  it('the driver refuses a config that would match any HID device', () => {
    expect(() => driver.create({ id: 'x', type: 'barcode', driver: 'hid', ...HID_DEFAULTS }, { log: undefined as never, dataDir: '/tmp' })).toThrow(/needs vendorId/);
  });
});

describe('real node-hid loads lazily', () => {
  it('the default loader loads node-hid and lists devices without throwing', async () => {
    const { loadNodeHid } = await import('../../drivers/barcode/hid.ts');
    const binding = await loadNodeHid();
    expect(Array.isArray(await binding.devices())).toBe(true);
  });
});
