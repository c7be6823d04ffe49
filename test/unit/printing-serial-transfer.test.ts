/**
 * escpos-serial when the port goes away mid-job, on serialport's MockBinding: serialport closes the
 * port by itself after a read error, and a write or drain issued while it closes is queued until
 * that port object opens again, which it never does (the driver reconnects with a new one). The job
 * must fail within a bound, release the printer, and the next job after reconnect must print.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPortMock, type SerialPort } from 'serialport';
import type { DeviceStatus } from '../../drivers/contracts.ts';
import { EscPosSerialPrinter, SerialTransferError, type SerialOptions } from '../../drivers/printer/escpos-serial.ts';

// The MockBinding serialport itself uses (@serialport/binding-mock's package exports hide its types).
const MockBinding = SerialPortMock.binding;
type MockBindingInterface = typeof MockBinding;
type MockPortBinding = Awaited<ReturnType<MockBindingInterface['open']>>;

const PATH = '/dev/ttyMOCKPRN';

/** Every port binding the driver opened, in order; each can be made to fail its pending read. */
let opened: { binding: MockPortBinding; failRead: (err: Error) => void }[] = [];

/** MockBinding with a close that takes `closeMs` (closing a real tty fd runs on the libuv pool) and `tweak` applied to each port. */
function binding(closeMs: number, tweak: (p: MockPortBinding, n: number) => void = () => undefined): MockBindingInterface {
  return {
    ...MockBinding,
    async open(o) {
      const p = await MockBinding.open(o);
      const entry = { binding: p, failRead: (_: Error) => undefined as void };
      const read = p.read.bind(p);
      p.read = (buf, off, len) =>
        new Promise((resolve, reject) => {
          entry.failRead = reject;
          read(buf, off, len).then(resolve, reject);
        });
      const close = p.close.bind(p);
      p.close = async () => {
        await sleep(closeMs);
        return close();
      };
      tweak(p, opened.length);
      opened.push(entry);
      return p;
    },
  };
}

function printer(b: MockBindingInterface, extra: Partial<SerialOptions> = {}) {
  const statuses: DeviceStatus[] = [];
  const p = new EscPosSerialPrinter('ser', { path: PATH, baudRate: 9600, width: 384, statusSupported: false, chunkBytes: 64, ...extra }, (o) => {
    const opts = { ...o, autoOpen: false, binding: b };
    return new SerialPortMock(opts) as unknown as SerialPort;
  });
  p.on('status', (s: DeviceStatus) => statuses.push(s));
  return { p, statuses };
}

/** How a promise settled, or 'pending' after `ms`. */
async function settled(pr: Promise<unknown>, ms: number): Promise<{ ok: true } | { ok: false; err: unknown } | 'pending'> {
  return Promise.race([pr.then(() => ({ ok: true }) as const, (err: unknown) => ({ ok: false, err }) as const), sleep(ms).then(() => 'pending' as const)]);
}

const eio = () => Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });

const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => {
  opened = [];
  MockBinding.createPort(PATH, { echo: false, record: true });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  MockBinding.reset();
});

describe('escpos-serial: port closing mid-job', () => {
  // 0 ms: closed before the next chunk; 120/400 ms: the pacing sleep ends while serialport is still closing.
  it.each([0, 30, 120, 400])('a read error while the port takes %i ms to close fails the job promptly; the next job after reconnect prints', async (closeMs) => {
    const { p, statuses } = printer(binding(closeMs));
    await p.start();
    cleanups.push(() => p.stop());
    expect(p.status().state).toBe('connected');

    const job = Buffer.alloc(2000, 0x41); // ~2.3 s at 9600 baud paced: still sending when the line fails
    const first = p.write(job);
    await expect.poll(() => opened[0].binding.recording.length, { timeout: 5000 }).toBeGreaterThan(0); // the job is going out
    opened[0].failRead(eio());

    const r = await settled(first, 2000 + closeMs);
    expect(r).not.toBe('pending');
    expect(r).toMatchObject({ ok: false });
    const err = (r as { err: SerialTransferError }).err;
    expect(err).toBeInstanceOf(SerialTransferError);
    expect(err.message).toMatch(/closed during the transfer|not connected/);
    expect(err.messageVi).toMatch(/cổng nối tiếp .* bị đóng|chưa kết nối/);
    // It really was cut mid-job.
    expect(opened[0].binding.recording.length).toBeGreaterThan(0);
    expect(opened[0].binding.recording.length).toBeLessThan(job.length);

    // Reported lost (not left "connected" on a dead port object), then reopened on a new one.
    await expect.poll(() => statuses.some((s) => s.state === 'disconnected' && s.code === 'offline'), { timeout: 3000 }).toBe(true);
    await expect.poll(() => opened.length === 2 && p.status().state === 'connected', { timeout: 5000 }).toBe(true);

    // The lock was released: the next job goes out in full on the new port.
    const next = Buffer.from('\x1b@next job\n');
    expect(await settled(p.write(next), 2000)).toEqual({ ok: true });
    expect(opened[1].binding.recording).toEqual(next);
  });
});

describe('escpos-serial: transfer bound', () => {
  it('a write the port never completes (flow control held) fails at the bound with a clear reason, and the port is reopened', async () => {
    // The first port takes writes but never finishes one, like a printer holding CTS low for good.
    const { p, statuses } = printer(
      binding(0, (b, n) => {
        if (n === 0) b.write = () => new Promise<void>(() => undefined);
      }),
      { transferTimeoutMs: 400 },
    );
    await p.start();
    cleanups.push(() => p.stop());

    const t0 = performance.now();
    const r = await settled(p.write(Buffer.alloc(500, 0x41)), 3000);
    expect(r).toMatchObject({ ok: false });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    const err = (r as { err: SerialTransferError }).err;
    expect(err.message).toBe(`transfer to ${PATH} did not complete within 1 s`);
    expect(err.messageVi).toBe(`gửi dữ liệu tới ${PATH} không xong trong 1 giây`);
    expect(statuses.find((s) => s.state === 'disconnected')).toMatchObject({ code: 'offline', reason: `serial port ${PATH} stopped taking data; reopening` });

    await expect.poll(() => opened.length === 2 && p.status().state === 'connected', { timeout: 5000 }).toBe(true);
    const next = Buffer.from('\x1b@after the stall\n');
    expect(await settled(p.write(next), 2000)).toEqual({ ok: true });
    expect(opened[1].binding.recording).toEqual(next);
  });

  it('the default bound leaves a long paced transfer alone', async () => {
    // 3000 bytes at 9600 baud × 0.9 take ~3.5 s: far inside twice the air time plus the slack.
    const { p } = printer(binding(0), { chunkBytes: 256 });
    await p.start();
    cleanups.push(() => p.stop());
    const job = Buffer.alloc(3000, 0x42);
    expect(await settled(p.write(job), 8000)).toEqual({ ok: true });
    expect(opened[0].binding.recording).toEqual(job);
  }, 15000);
});
