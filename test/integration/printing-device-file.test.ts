/**
 * escpos-device against a socat pty pair standing in for /dev/usb/lp0: the handle of a vanished
 * device is closed before reopening (no fd leak across unplug/replug), and a GS r 1 answer that
 * only comes once a long job is printed is still read (confirmProcessed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { tempDir } from '../helpers/agent.ts';
import { EscPosDevicePrinter } from '../../drivers/printer/escpos-device.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function socat(a: string, b: string): Promise<ChildProcess> {
  // A SIGKILLed socat leaves its links behind; the new one must not find them.
  rmSync(a, { force: true });
  rmSync(b, { force: true });
  const proc = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  await expect.poll(() => existsSync(a) && existsSync(b), { timeout: 5000 }).toBe(true);
  return proc;
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
    const dir = tempDir('hcc-pty-leak-');
    const a = join(dir, 'a'), b = join(dir, 'b');
    let proc = await socat(a, b);
    cleanups.push(() => {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });
    const before = ptsFds().length;
    const printer = new EscPosDevicePrinter('usb', { path: a, width: 576, statusSupported: false });
    await printer.start();
    cleanups.push(() => printer.stop());
    expect(printer.status().state).toBe('connected');
    expect(ptsFds()).toHaveLength(before + 1);
    for (let i = 0; i < 5; i++) {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
      // The pty master is gone: the write fails with EIO and the driver reports the device lost.
      await expect(printer.write(Buffer.from('x'))).rejects.toThrow(/EIO/);
      expect(printer.status().state).toBe('disconnected');
      proc = await socat(a, b);
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
    const dir = tempDir('hcc-pty-gsr-');
    const a = join(dir, 'a'), b = join(dir, 'b');
    const proc = await socat(a, b);
    cleanups.push(() => {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });
    // The printer: DLE EOT answered at once, GS r 1 (paper sensor) only when "printing" is over.
    const peer = new SerialPort({ path: b, baudRate: 115200 });
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
    const printer = new EscPosDevicePrinter('usb', { path: a, width: 576, statusTimeoutMs: 300, confirmProcessed: true, processedTimeoutMs: 8000 });
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
