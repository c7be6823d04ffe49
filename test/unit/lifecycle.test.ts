import { describe, it, expect, afterEach } from 'vitest';
import { ManagedDevice, type StatusText } from '../../drivers/lifecycle.ts';
import type { DeviceStatus } from '../../drivers/contracts.ts';

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

const waitFor = async (cond: () => boolean, ms: number) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
};

describe('ManagedDevice lifecycle', () => {
  const devices: FlakyDevice[] = [];
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.stop();
  });

  it('starts disconnected when absent, without rejecting, and connects within 2 s of appearing', async () => {
    const d = new FlakyDevice('d1', 'test');
    devices.push(d);
    await d.start();
    expect(d.status().state).toBe('disconnected');
    expect(d.status().reason).toMatch(/cannot open: ENOENT/);
    await new Promise((r) => setTimeout(r, 1500)); // several backoff rounds, reaching the cap
    d.present = true;
    const took = await waitFor(() => d.status().state === 'connected', 2000);
    expect(took).toBeLessThan(2000);
  });

  it('reconnects after the device vanishes and comes back, emitting each status once', async () => {
    const d = new FlakyDevice('d2', 'test');
    devices.push(d);
    const seen: DeviceStatus[] = [];
    d.on('status', (s) => seen.push(s));
    d.present = true;
    await d.start();
    expect(d.status().state).toBe('connected');
    d.unplug();
    expect(d.status()).toMatchObject({ state: 'disconnected', code: 'vanished', reasonVi: 'thiết bị bị rút ra' });
    await new Promise((r) => setTimeout(r, 300));
    d.present = true;
    await waitFor(() => d.status().state === 'connected', 2000);
    const states = seen.map((s) => s.state);
    expect(states[0]).toBe('connected');
    expect(states).toContain('disconnected');
    expect(states.at(-1)).toBe('connected');
  });

  it('puts the device in error with the fix when retrying cannot help', async () => {
    const d = new FlakyDevice('d3', 'test');
    devices.push(d);
    d.permanent = { en: 'libusb not found; install libusb-1.0-0', vi: 'thiếu libusb; cài libusb-1.0-0', code: 'libusb-missing' };
    await d.start();
    expect(d.status()).toMatchObject({ state: 'error', code: 'libusb-missing' });
    const opens = d.opens;
    await new Promise((r) => setTimeout(r, 500));
    expect(d.opens).toBe(opens);
  });

  it('stops retrying after stop()', async () => {
    const d = new FlakyDevice('d4', 'test');
    await d.start();
    await d.stop();
    const opens = d.opens;
    await new Promise((r) => setTimeout(r, 600));
    expect(d.opens).toBe(opens);
    expect(d.status().reason).toBe('stopped');
  });
});
