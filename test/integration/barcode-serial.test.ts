/**
 * The real serial driver against socat pseudo-terminal pairs: the test writes to one end like a
 * scanner would, the driver reads the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceStatus, RawScan } from '../../drivers/contracts.ts';
import { SERIAL_DEFAULTS, SerialBarcodeScanner, type SerialScannerOptions } from '../../drivers/barcode/serial.ts';
import { startAgent, tempDir, testConfig } from '../helpers/agent.ts';
import { PtyPair } from '../helpers/pty.ts';
import { waitFor } from '../helpers/wait.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Partial<SerialScannerOptions> = {}) {
  const dir = tempDir('hcc-barcode-pty-');
  const pty = new PtyPair(dir);
  await pty.start();
  const scanner = new SerialBarcodeScanner('desk', { ...SERIAL_DEFAULTS, path: pty.agentEnd, ...opts });
  const scans: RawScan[] = [];
  const statuses: DeviceStatus[] = [];
  scanner.on('scan', (s: RawScan) => scans.push(s));
  scanner.on('status', (s: DeviceStatus) => statuses.push(s));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => pty.stop(), () => scanner.stop());
  await scanner.start();
  expect(scanner.status().state).toBe('connected');
  return { pty, scanner, scans, statuses };
}

const until = (cond: () => boolean) => waitFor(cond, { timeoutMs: 5000, stepMs: 5 });

const text = (scans: RawScan[]) => scans.map((s) => s.data.toString('utf8'));

describe('serial barcode scanner over a socat pty pair', () => {
  for (const baudRate of [9600, 115200]) {
    for (const [suffix, chars] of [['CR', '\r'], ['LF', '\n'], ['CRLF', '\r\n'], ['TAB', '\t']] as const) {
      it(`frames on ${suffix} at ${baudRate} baud`, async () => {
        const { pty, scans } = await setup({ baudRate, suffix });
        await pty.write(`000.00.21.H30-261122-0001${chars}EE123456785VN${chars}`);
        await until(() => scans.length === 2);
        expect(text(scans)).toEqual(['000.00.21.H30-261122-0001', 'EE123456785VN']);
      });
    }
  }

  it('frames on silence when the scanner sends no suffix', async () => {
    // A silence well above a loaded machine's scheduling delay between the two writes (the exact timing is the framing unit test's).
    const { pty, scans } = await setup({ suffix: 'none', interCharTimeoutMs: 250 });
    await pty.write('000.00.21.H30-', '261122-0001');
    await until(() => scans.length === 1); // framed: the silence has passed
    await pty.write('EE123456785VN');
    await until(() => scans.length === 2);
    expect(text(scans)).toEqual(['000.00.21.H30-261122-0001', 'EE123456785VN']);
  });

  it('reassembles reads split across writes, including a split CRLF', async () => {
    const { pty, scans } = await setup({ suffix: 'CRLF' });
    await pty.write('EE1234', '56785VN\r', '\nRR000000005', 'VN\r\n');
    await until(() => scans.length === 2);
    expect(text(scans)).toEqual(['EE123456785VN', 'RR000000005VN']);
  });

  it('strips a prefix and reads AIM identifiers; keeps UTF-8 intact', async () => {
    const { pty, scans } = await setup({ suffix: 'CR', prefix: '@@' });
    await pty.write('@@]Q1001099012345||Trần Thị Bình|31121985|Nữ|Huế|01012022\r', ']C1EE123456785VN\r', 'plain\r');
    await until(() => scans.length === 3);
    expect(scans.map((s) => s.aimId)).toEqual([']Q1', ']C1', undefined]);
    expect(text(scans)).toEqual(['001099012345||Trần Thị Bình|31121985|Nữ|Huế|01012022', 'EE123456785VN', 'plain']);
  });

  it('cuts an over-long read, marks it truncated and recovers on the next one', async () => {
    const { pty, scans } = await setup({ suffix: 'CR', maxLength: 64 });
    await pty.write('x'.repeat(300), 'y'.repeat(300) + '\rok\r');
    await until(() => scans.length === 2);
    expect(scans[0].truncated).toBe(true);
    expect(scans[0].data.length).toBe(64);
    expect(text(scans)[1]).toBe('ok');
  });

  it('survives unplug and replug on the same path (socat restarted)', async () => {
    const { pty, scanner, scans, statuses } = await setup({ suffix: 'CR' });
    await pty.write('before\r');
    await until(() => scans.length === 1);
    await pty.stop();
    await until(() => scanner.status().state === 'disconnected');
    expect(statuses.at(-1)?.code).toBe('disconnected');
    await until(() => statuses.some((s) => s.code === 'unavailable')); // a reopen failed: the driver is in its backoff
    const t0 = Date.now();
    await pty.start();
    await until(() => scanner.status().state === 'connected');
    expect(Date.now() - t0).toBeLessThan(2000);
    await pty.write('after\r');
    await until(() => scans.length === 2);
    expect(text(scans)).toEqual(['before', 'after']);
  });

  it('notices a path that vanishes without an I/O error, and reconnects when it is back', async () => {
    const { pty, scanner, scans } = await setup({ suffix: 'CR' });
    const target = readlinkSync(pty.agentEnd);
    unlinkSync(pty.agentEnd);
    await until(() => scanner.status().state === 'disconnected');
    expect(scanner.status().reason).toMatch(/vanished/);
    symlinkSync(target, pty.agentEnd);
    await until(() => scanner.status().state === 'connected');
    await pty.write('back\r');
    await until(() => scans.length === 1);
    expect(text(scans)).toEqual(['back']);
  });

  it('stays disconnected (not crashed) while the path does not exist', async () => {
    const dir = tempDir('hcc-barcode-pty-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const scanner = new SerialBarcodeScanner('ghost', { ...SERIAL_DEFAULTS, path: join(dir, 'missing') });
    cleanups.push(() => scanner.stop());
    await scanner.start();
    expect(scanner.status()).toMatchObject({ state: 'disconnected', code: 'unavailable' });
  });

  it('a serial scanner configured in the agent produces hcc.barcode.scanned events and shows in /devices', async () => {
    const dir = tempDir('hcc-barcode-pty-');
    const pty = new PtyPair(dir);
    await pty.start();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => pty.stop());
    const agent = await startAgent(testConfig({ devices: [{ id: 'desk-scanner', type: 'barcode', driver: 'serial', path: pty.agentEnd, baudRate: 9600, suffix: '\r' }], queue: {} }));
    cleanups.push(() => agent.cleanup());
    const seen: CloudEvent[] = [];
    agent.ctx.bus.subscribe((ev) => void (ev.type === 'hcc.barcode.scanned' && seen.push(ev)));
    const devices = (await agent.fastify.inject({ url: '/api/v1/devices' })).json();
    expect(devices).toEqual([expect.objectContaining({ id: 'desk-scanner', driver: 'serial', state: 'connected' })]);
    await pty.write(']Q1000.00.21.H30-261122-0042\r');
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ subject: '000.00.21.H30-261122-0042', data: { device: 'desk-scanner', symbology: ']Q1', kind: 'dossier', parsed: { sequence: 42 } } });
  });
});
