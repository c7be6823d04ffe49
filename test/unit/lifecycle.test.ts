import { describe, it, expect, afterEach } from 'vitest';
import { ManagedDevice, type StatusText } from '../../drivers/lifecycle.ts';
import type { DeviceStatus } from '../../drivers/contracts.ts';
import { FakeClock } from '../helpers/clock.ts';

/** A device whose presence a test switches on and off, as unplugging would. */
class FlakyDevice extends ManagedDevice {
  readonly type = 'barcode' as const;
  present = false;
  opens = 0;
  permanent: StatusText | null = null;
  protected async open(): Promise<void> {
    this.opens++;
    if (!this.present) throw new Error('ENOENT: no such device');
  }
  protected async close(): Promise<void> {}
  protected override isPermanent(): StatusText | null {
    return this.permanent;
  }
  unplug(): void {
    this.present = false;
    this.lost({ en: 'device vanished', vi: 'thiết bị bị rút ra', code: 'vanished' });
  }
}

describe('ManagedDevice lifecycle', () => {
  const devices: FlakyDevice[] = [];
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.stop();
  });

  it('starts disconnected when absent, without rejecting, backs off up to a 1 s cap, and connects at the next retry after appearing (within 2 s)', async () => {
    const clock = new FakeClock();
    const d = new FlakyDevice('d1', 'test', undefined, clock);
    devices.push(d);
    await d.start();
    expect(d.status().state).toBe('disconnected');
    expect(d.status().reason).toMatch(/cannot open: ENOENT/);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(...clock.pending());
      await clock.fireNext();
    }
    expect(delays).toEqual([200, 400, 800, 1000, 1000]);
    expect(d.opens).toBe(6);
    d.present = true;
    expect(clock.pending()).toEqual([1000]);
    await clock.fireNext();
    expect(d.status()).toMatchObject({ state: 'connected', since: new Date(clock.t).toISOString() });
    expect(clock.pending()).toEqual([]);
  });

  it('reconnects after the device vanishes and comes back, emitting each status once', async () => {
    const clock = new FakeClock();
    const d = new FlakyDevice('d2', 'test', undefined, clock);
    devices.push(d);
    const seen: DeviceStatus[] = [];
    d.on('status', (s) => seen.push(s));
    d.present = true;
    await d.start();
    expect(d.status().state).toBe('connected');
    d.unplug();
    expect(d.status()).toMatchObject({ state: 'disconnected', code: 'vanished', reasonVi: 'thiết bị bị rút ra' });
    expect(clock.pending()).toEqual([200]); // the backoff starts over after a success
    await clock.fireNext(); // still unplugged
    d.present = true;
    await clock.fireNext();
    expect(seen.map((s) => s.state)).toEqual(['connected', 'disconnected', 'disconnected', 'connected']);
    expect(seen.map((s) => s.reason)).toEqual(['ready', 'device vanished', 'cannot open: ENOENT: no such device; retrying', 'ready']);
  });

  it('puts the device in error with the fix when retrying cannot help', async () => {
    const clock = new FakeClock();
    const d = new FlakyDevice('d3', 'test', undefined, clock);
    devices.push(d);
    d.permanent = { en: 'libusb not found; install libusb-1.0-0', vi: 'thiếu libusb; cài libusb-1.0-0', code: 'libusb-missing' };
    await d.start();
    expect(d.status()).toMatchObject({ state: 'error', code: 'libusb-missing' });
    expect(clock.pending()).toEqual([]);
    expect(d.opens).toBe(1);
  });

  it('stops retrying after stop()', async () => {
    const clock = new FakeClock();
    const d = new FlakyDevice('d4', 'test', undefined, clock);
    await d.start();
    expect(clock.pending()).toEqual([200]);
    await d.stop();
    expect(clock.pending()).toEqual([]);
    expect(d.opens).toBe(1);
    expect(d.status().reason).toBe('stopped');
  });
});
