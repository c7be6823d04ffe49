/**
 * escpos-device against a socat pty pair standing in for /dev/usb/lp0: the handle of a vanished
 * device is closed before reopening (no fd leak across unplug/replug), and a GS r 1 answer that
 * only comes once a long job is printed is still read (confirmProcessed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { SerialPort } from 'serialport';
import { tempDir } from '../helpers/agent.ts';
import { PtyPair } from '../helpers/pty.ts';
import { EscPosDevicePrinter } from '../../drivers/printer/escpos-device.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A started pty pair, stopped and removed after the test. */
async function openPty(): Promise<PtyPair> {
  const pty = new PtyPair(tempDir('hcc-pty-'));
  await pty.start();
  cleanups.push(async () => {
    await pty.stop();
    rmSync(pty.dir, { recursive: true, force: true });
  });
  return pty;
}

/** This process's open descriptors on pty slaves (socat's are in its own process). */
function ptsFds(): string[] {
  return readdirSync('/proc/self/fd').flatMap((f) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${f}`);
      return target.startsWith('/dev/pts/') ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe('escpos-device: unplug and replug', () => {
  it('closes the old handle each time the device vanishes; no descriptor remains after stop()', async () => {
    const pty = await openPty();
    const before = ptsFds().length;
    const printer = new EscPosDevicePrinter('usb', { path: pty.agentEnd, width: 576, statusSupported: false });
    await printer.start();
    cleanups.push(() => printer.stop());
    expect(printer.status().state).toBe('connected');
    expect(ptsFds()).toHaveLength(before + 1);
    for (let i = 0; i < 5; i++) {
      await pty.stop('SIGKILL');
      // The pty master is gone: the write fails with EIO and the driver reports the device lost.
      await expect(printer.write(Buffer.from('x'))).rejects.toThrow(/EIO/);
      expect(printer.status().state).toBe('disconnected');
      await pty.start();
      await expect.poll(() => printer.status().state, { timeout: 5000 }).toBe('connected');
      // Only the new device is open; the vanished one was closed (pty numbers are reused, so count them).
      await expect.poll(() => ptsFds().length, { timeout: 2000 }).toBe(before + 1);
    }
    await printer.stop();
    expect(ptsFds()).toHaveLength(before);
  });
});

describe('escpos-device: confirmProcessed', () => {
  it('reads a GS r 1 answer that comes 2 s after the job, long after statusTimeoutMs', async () => {
    const pty = await openPty();
    // The printer: DLE EOT answered at once, GS r 1 (paper sensor) only when "printing" is over.
    const peer = new SerialPort({ path: pty.deviceEnd, baudRate: 115200 });
    await once(peer, 'open');
    cleanups.push(() => new Promise<void>((r) => peer.close(() => r())));
    const received: Buffer[] = [];
    let answeredAt = 0;
    let pending = Buffer.alloc(0);
    peer.on('data', (c: Buffer) => {
      received.push(c);
      pending = Buffer.concat([pending, c]);
      for (let i = 0; i + 2 < pending.length; i++) {
        if (pending[i] === 0x10 && pending[i + 1] === 0x04) {
          peer.write(Buffer.from([0x12]));
          pending = pending.subarray(i + 3);
          i = -1;
        } else if (pending[i] === 0x1d && pending[i + 1] === 0x72 && pending[i + 2] === 1) {
          setTimeout(() => {
            answeredAt = performance.now();
            peer.write(Buffer.from([0x00]));
          }, 2000);
          pending = pending.subarray(i + 3);
          i = -1;
        }
      }
    });
    const printer = new EscPosDevicePrinter('usb', { path: pty.agentEnd, width: 576, statusTimeoutMs: 300, confirmProcessed: true, processedTimeoutMs: 8000 });
    await printer.start();
    cleanups.push(() => printer.stop());
    expect(printer.status().state).toBe('connected');
    await printer.write(Buffer.from('hello\n'));
    const t0 = performance.now();
    await expect(printer.waitProcessed()).resolves.toBe(true);
    expect(answeredAt).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(Buffer.concat(received).includes(Buffer.from('hello\n'))).toBe(true);
    // Status still works afterwards on the same handle.
    expect(await printer.queryStatus()).toMatchObject({ online: true });
  });
});
