/**
 * ESC/POS through a device file such as /dev/usb/lp0 (Linux usblp). Opened non-blocking so a
 * printer that never answers cannot park a libuv thread: reads poll only while a status answer is
 * awaited, writes retry on EAGAIN.
 */
import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import Type from 'typebox';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { StreamPrinter, escposKeys, escposOptions, type EscposOptions } from './base.ts';

export interface DeviceFileOptions extends EscposOptions {
  path: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POLL_MS = 10;

export class EscPosDevicePrinter extends StreamPrinter {
  private fh: FileHandle | null = null;
  private polling = false;

  constructor(
    id: string,
    private readonly opts: DeviceFileOptions,
  ) {
    super(id, 'escpos-device', opts);
  }

  protected async open(): Promise<void> {
    this.fh = await fsp.open(this.opts.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
  }

  protected async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  /** `fh` failed: close it (lost() → close() no longer sees it, so each unplug would leak an fd) and reopen. */
  private gone(fh: FileHandle, err: unknown): never {
    // Waits for any read/write still pending on it; a vanished device may refuse the close.
    void fh.close().catch(() => undefined);
    // A stale poll failing on a handle already replaced must not drop the new one.
    if (this.fh === fh) {
      this.fh = null;
      this.failWaiters();
      const msg = (err as Error).message;
      this.lost({ en: `${this.opts.path}: ${msg}; reopening`, vi: `${this.opts.path}: ${msg}; đang mở lại`, code: 'offline' });
    }
    throw err;
  }

  protected async send(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const fh = this.fh;
      if (!fh) throw new Error(`printer ${this.id} is not connected`);
      try {
        const { bytesWritten } = await fh.write(data, off, data.length - off);
        off += bytesWritten;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') await sleep(POLL_MS);
        else this.gone(fh, err);
      }
    }
    if (this.statusSupported) void this.poll();
  }

  /** Reads whatever the printer sent back, for as long as someone waits for a status byte. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const buf = Buffer.alloc(64);
    const until = performance.now() + this.statusTimeoutMs + 100;
    try {
      // A GS r 1 reply comes only once the job is printed, long after statusTimeoutMs: read until no one waits.
      for (let fh = this.fh; fh && (performance.now() < until || this.awaitingReply); fh = this.fh) {
        try {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead > 0) this.received(Buffer.from(buf.subarray(0, bytesRead)));
          else await sleep(POLL_MS);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN' || code === 'EWOULDBLOCK') await sleep(POLL_MS);
          else if (code === 'EIO' || code === 'ENODEV') this.gone(fh, err);
          else throw err;
        }
      }
    } catch {
      // reported through gone(); a status reader times out on its own
    } finally {
      this.polling = false;
    }
  }
}

export const driver = defineDriver({
  type: 'printer',
  name: 'escpos-device',
  summary: 'ESC/POS printer through a device file, e.g. /dev/usb/lp0 (USB printer class).',
  schema: deviceSchema(
    'printer',
    'escpos-device',
    {
      path: key(Type.String({ minLength: 1, maxLength: 256 }), { title: 'Device file', description: 'e.g. /dev/usb/lp0; the agent user needs write (and for status, read) access (group lp).', default: '/dev/usb/lp0' }),
      ...escposKeys,
    },
    'A USB ESC/POS printer through its device file.',
  ),
  create: (cfg) => new EscPosDevicePrinter(cfg.id, { path: cfg.path, ...escposOptions(cfg) }),
});
