/**
 * Scans through a whole agent: simulated scanner → classifier → dedupe → bus/WebSocket and outbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { SimulatableScanner } from '../../drivers/contracts.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { BARCODE_SCANNED, BarcodePipeline, type BarcodeScannedData } from '../../src/barcode/pipeline.ts';
import { BARCODE_DEFAULTS } from '../../src/barcode/config.ts';
import type { Events } from '../../src/events.ts';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';

const QR = '001099012345|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021';

let agent: (TestAgent & { url: string }) | null = null;
afterEach(async () => {
  await agent?.cleanup();
  agent = null;
});

async function setup(barcode: Record<string, unknown> = {}, opts: { listen?: boolean; logLines?: string[] } = {}) {
  // No queue: this test is about scans only.
  agent = await startAgent(testConfig({ barcode, queue: {} }), opts);
  const scanner = agent.ctx.devices.get('barcode') as SimulatableScanner;
  const seen: CloudEvent<BarcodeScannedData>[] = [];
  agent.ctx.bus.subscribe((ev) => {
    if (ev.type === BARCODE_SCANNED) seen.push(ev as CloudEvent<BarcodeScannedData>);
  });
  const outbox = () =>
    agent!.ctx.db.prepare(`SELECT id, subject, envelope FROM outbox WHERE type = ? ORDER BY seq`).all(BARCODE_SCANNED) as { id: string; subject: string | null; envelope: string }[];
  return { scanner, seen, outbox, agent };
}

describe('barcode pipeline in the agent', () => {
  it('publishes every kind; forwards dossier and valid postal items with the code as subject', async () => {
    const { scanner, seen, outbox } = await setup();
    scanner.simulate('000.00.21.H30-261122-0001', ']Q1');
    scanner.simulate('EE123456785VN', ']C1');
    scanner.simulate('EE123456786VN');
    scanner.simulate('hello');
    scanner.simulate(Buffer.from([0, 1, 2, 0xff]));
    expect(seen.map((e) => e.data.kind)).toEqual(['dossier', 'postal-item', 'postal-item', 'text', 'binary']);
    expect(seen[0].data).toMatchObject({ device: 'barcode', symbology: ']Q1', symbologyName: 'QR Code', raw: '000.00.21.H30-261122-0001', parsed: { agencyCode: '000.00.21.H30' } });
    expect(seen[0].subject).toBe('000.00.21.H30-261122-0001');
    expect(seen[2].data.parsed).toMatchObject({ valid: false });
    expect(outbox().map((r) => r.subject)).toEqual(['000.00.21.H30-261122-0001', 'EE123456785VN']);
    // The stored event is the one clients saw.
    expect(JSON.parse(outbox()[0].envelope).id).toBe(seen[0].id);
  });

  it('suppresses the same code from the same scanner within the window, not other codes', async () => {
    const { agent, seen } = await setup({ dedupeWindowMs: 800 });
    const scanner = agent.ctx.devices.get('barcode')!;
    const t = performance.now();
    const read = (s: string, at: number) => scanner.emit('scan', { data: Buffer.from(s), receivedAt: t + at });
    read('EE123456785VN', 0);
    read('EE123456785VN', 100);
    read('000.00.21.H30-261122-0001', 150);
    read('EE123456785VN', 700); // within 800 ms of the previous read (sliding window)
    read('EE123456785VN', 1600); // 900 ms after the last read: a new scan
    expect(seen.map((e) => e.data.raw)).toEqual(['EE123456785VN', '000.00.21.H30-261122-0001', 'EE123456785VN']);
  });

  it('dedupe can be turned off', async () => {
    const { scanner, seen } = await setup({ dedupeWindowMs: 0 });
    scanner.simulate('A1');
    scanner.simulate('A1');
    expect(seen).toHaveLength(2);
  });

  it('citizen ID: published live, never forwarded by default, never in the logs', async () => {
    const logLines: string[] = [];
    const { scanner, seen, outbox } = await setup({}, { logLines });
    scanner.simulate(QR, ']Q1');
    scanner.simulate('001099012345|123456789|Nguyễn Văn An');
    expect(seen.map((e) => e.data.kind)).toEqual(['citizen-id', 'citizen-id-invalid']);
    expect(seen[0].data).toMatchObject({ personal: true, parsed: { idNumber: '001099012345', fullName: 'Nguyễn Văn An' } });
    expect(seen[0].subject).toBeUndefined();
    expect(outbox()).toEqual([]);
    const logs = logLines.join('\n');
    expect(logs).toContain('"kind":"citizen-id"');
    for (const secret of ['001099012345', '123456789', 'Nguyễn', 'Tràng Tiền', '01021990']) expect(logs).not.toContain(secret);
  });

  it('citizen ID is forwarded, without subject, when barcode.forwardPersonal is true', async () => {
    const { scanner, outbox } = await setup({ forwardPersonal: true });
    scanner.simulate(QR);
    const rows = outbox();
    expect(rows).toHaveLength(1);
    expect(rows[0].subject).toBeNull();
    expect(rows[0].envelope).toMatch(/^v1:/); // personal: encrypted at rest
    expect(JSON.parse(agent!.ctx.security.vault.openString(rows[0].envelope, rows[0].id)!).data).toMatchObject({ kind: 'citizen-id', personal: true });
  });

  it('over-long scans are reported with the configured cap', async () => {
    const { scanner, seen } = await setup({ maxLength: 64 });
    scanner.simulate('x'.repeat(100));
    expect(seen[0].data).toMatchObject({ kind: 'too-long', parsed: { length: 100, maxLength: 64 } });
  });

  it('an invalid configured dossier pattern is refused at construction, naming the key', () => {
    expect(() => new BarcodePipeline({} as Events, { ...BARCODE_DEFAULTS, dossierPatterns: ['^ok$', '(unclosed'] })).toThrow(/barcode\.dossierPatterns\[1\]: invalid dossier code pattern/);
  });

  it('reaches WebSocket clients on /api/v1/events', async () => {
    const { scanner, agent } = await setup({}, { listen: true });
    const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/api/v1/events`);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const got = new Promise<CloudEvent<BarcodeScannedData>>((resolve) =>
      ws.on('message', (m) => {
        const ev = JSON.parse(m.toString());
        if (ev.type === BARCODE_SCANNED) resolve(ev);
      }),
    );
    scanner.simulate('RR000000005VN', ']C0');
    const ev = await got;
    ws.close();
    expect(ev).toMatchObject({ subject: 'RR000000005VN', data: { kind: 'postal-item', device: 'barcode', symbology: ']C0' } });
  });
});
