/**
 * The real drivers against the simulated printer on the far side of a real transport: escpos-tcp
 * on a TCP port (including unplug/replug resuming the queue), escpos-serial and escpos-device
 * over a socat pty pair (with write pacing checked against the line rate).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startAgent, testConfig, tempDir, type TestAgent } from '../helpers/agent.ts';
import { PtyPair } from '../helpers/pty.ts';
import { SimulatedEscPosPeer } from '../../drivers/printer/simulated.ts';
import { EscPosSerialPrinter } from '../../drivers/printer/escpos-serial.ts';
import { EscPosDevicePrinter } from '../../drivers/printer/escpos-device.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { crop, rowIsBlank, sameRaster } from '../../drivers/protocols/escpos/raster.ts';
import { renderJob } from '../../src/printing/render.ts';
import { encodeRasterJob } from '../../drivers/protocols/escpos/encode.ts';
import { renderDoc, text } from '../../src/printing/layout.ts';
import { ticketData } from '../unit/printing-fixtures.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const inject = (a: TestAgent, method: 'GET' | 'POST', url: string, payload?: unknown) => a.fastify.inject({ method, url: `/api/v1${url}`, payload: payload as any, headers: { host: '127.0.0.1' } });

async function waitState(a: TestAgent, id: string, states: string[], timeout = 15000) {
  let body: any;
  await expect.poll(async () => states.includes((body = (await inject(a, 'GET', `/print/jobs/${id}`)).json()).state), { timeout, interval: 50 }).toBe(true);
  return body;
}

async function tcpAgent(port: number, extra: Record<string, unknown> = {}) {
  const a = await startAgent(testConfig({ devices: [{ id: 'receipt', type: 'printer', driver: 'escpos-tcp', host: '127.0.0.1', port, width: 576, statusTimeoutMs: 500, ...extra }], printing: { waitingPollMs: 200 } }));
  cleanups.push(() => a.cleanup());
  const events: CloudEvent[] = [];
  a.ctx.bus.subscribe((e) => events.push(e));
  await expect.poll(() => a.ctx.devices.get('receipt')!.status().state, { timeout: 5000 }).toBe('connected');
  return { a, events };
}

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };

describe('escpos-tcp', () => {
  it('prints a ticket over TCP; the peer decodes exactly the preview', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    const { a, events } = await tcpAgent(port);
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    const job = await waitState(a, id, ['printed', 'failed']);
    expect(job.state).toBe('printed');
    expect(job.guarantee).toMatch(/answered fine/);
    const { rendered } = await import('./printing-transports.helpers.ts').then((m) => m.previewOf(a, id));
    const page = peer.mechanism.paper.pages[0];
    expect(sameRaster(crop(page, 0, rendered.height), rendered)).toBe(true);
    for (let y = rendered.height; y < page.height; y++) expect(rowIsBlank(page, y)).toBe(true);
    expect(events.some((e) => e.type === 'hcc.print.job.printed')).toBe(true);
  });

  it('paper out at the peer: the job waits (paper-out), then prints when paper is loaded', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    const { a, events } = await tcpAgent(port);
    peer.mechanism.condition = { ...peer.mechanism.condition, paperOut: true };
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'test-page', data: {} })).json();
    expect((await waitState(a, id, ['waiting'])).code).toBe('paper-out');
    expect(events.some((e) => e.type === 'hcc.device.status' && (e.data as any).code === 'paper-out')).toBe(true);
    expect(peer.mechanism.paper.pages).toHaveLength(0);
    peer.mechanism.condition = { ...peer.mechanism.condition, paperOut: false };
    await waitState(a, id, ['printed']);
    expect(peer.mechanism.paper.pages).toHaveLength(1);
  });

  it('unplug and replug: jobs wait as offline, then the queue resumes on reconnect', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    const { a, events } = await tcpAgent(port);
    await peer.stop();
    await expect.poll(() => a.ctx.devices.get('receipt')!.status().state, { timeout: 5000 }).toBe('disconnected');
    expect(events.some((e) => e.type === 'hcc.device.status' && (e.data as any).code === 'offline')).toBe(true);
    const ids: string[] = [];
    for (const n of ['A001', 'A002', 'A003']) ids.push((await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData({ number: n }) })).json().id);
    expect((await waitState(a, ids[0], ['waiting'])).code).toBe('offline');
    await peer.listenTcp(port);
    for (const id of ids) await waitState(a, id, ['printed']);
    expect(peer.mechanism.paper.pages).toHaveLength(3);
    expect(events.filter((e) => e.type === 'hcc.print.job.printed').map((e) => e.subject)).toEqual(['A001', 'A002', 'A003']);
  });

  it('with confirmProcessed, printed means the printer got through the last byte (GS r 1) and then was fine', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    const { a } = await tcpAgent(port, { confirmProcessed: true });
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    const job = await waitState(a, id, ['printed', 'failed']);
    expect(job.state).toBe('printed');
    expect(job.guarantee).toMatch(/processed the last byte/);
    expect(peer.mechanism.paper.pages).toHaveLength(1);
  });

  it('an idle printer is asked its status periodically: paper out shows without any job', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    const a = await startAgent(testConfig({ devices: [{ id: 'receipt', type: 'printer', driver: 'escpos-tcp', host: '127.0.0.1', port, width: 576 }], printing: { statusPollMs: 300 } }));
    cleanups.push(() => a.cleanup());
    const events: CloudEvent[] = [];
    a.ctx.bus.subscribe((e) => events.push(e));
    await expect.poll(() => a.ctx.devices.get('receipt')!.status().state, { timeout: 5000 }).toBe('connected');
    peer.mechanism.condition = { ...peer.mechanism.condition, paperOut: true };
    await expect.poll(() => events.some((e) => e.type === 'hcc.device.status' && (e.data as any).code === 'paper-out'), { timeout: 10000 }).toBe(true);
    expect(a.ctx.devices.get('receipt')!.status()).toMatchObject({ state: 'error', code: 'paper-out', reasonVi: 'hết giấy' });
    peer.mechanism.condition = { ...peer.mechanism.condition, paperOut: false };
    await expect.poll(() => a.ctx.devices.get('receipt')!.status().state, { timeout: 10000 }).toBe('connected');
  });

  it('a printer that never answers status prints with the weaker guarantee stated', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    const { a } = await tcpAgent(port, { statusSupported: false });
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    const job = await waitState(a, id, ['printed', 'failed']);
    expect(job.state).toBe('printed');
    expect(job.guarantee).toMatch(/not confirmed/);
  });

  it('a printer configured to answer that stays silent: the job is not reported printed', async () => {
    const { createServer } = await import('node:net');
    // Takes bytes, never answers; the agent giving up may reset the connection, which is no error here.
    const server = createServer((s) => s.on('data', () => undefined).on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const { a } = await tcpAgent((server.address() as { port: number }).port);
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'test-page', data: {} })).json();
    const job = await waitState(a, id, ['waiting', 'failed', 'printed']);
    expect(job.state).toBe('waiting');
    expect(job.code).toBe('no-status');
  });
});

// ---------------------------------------------------------------- serial and device file over a pty pair

/** A pty pair for this test: `a` for the driver, `b` for the printer peer. */
async function ptyPair(): Promise<{ a: string; b: string }> {
  const pty = new PtyPair(tempDir('hcc-pty-'));
  await pty.start();
  cleanups.push(async () => {
    await pty.stop();
    rmSync(pty.dir, { recursive: true, force: true });
  });
  return { a: pty.agentEnd, b: pty.deviceEnd };
}

describe('escpos-serial over a pty', () => {
  it('paces writes to the line rate at 9600 baud and still gets status', async () => {
    const { a, b } = await ptyPair();
    const peer = new SimulatedEscPosPeer(384);
    await peer.attachPty(b, 9600);
    cleanups.push(() => peer.stop());
    const printer = new EscPosSerialPrinter('serial', { path: a, baudRate: 9600, width: 384, chunkBytes: 128 });
    await printer.start();
    cleanups.push(() => printer.stop());
    expect(printer.status().state).toBe('connected');
    const r = renderDoc({ width: 384, blocks: [text('Số thứ tự A012 — Đất đai, Hộ tịch', { bold: true, size: 28 })] }).raster;
    const bytes = encodeRasterJob([r]);
    expect(bytes.length).toBeGreaterThan(1200);
    const t0 = performance.now();
    await printer.write(bytes);
    const took = performance.now() - t0;
    // 8N1 = 10 bits a byte; pace factor 0.9 → at least bytes / 864 seconds (less one chunk of slack).
    expect(took).toBeGreaterThanOrEqual(((bytes.length - 128) / 864) * 1000);
    const cond = await printer.queryStatus();
    expect(cond?.paperOut).toBe(false);
    // The peer never saw data faster than the line could carry it.
    const first = peer.arrivals[0].t;
    let got = 0;
    for (const x of peer.arrivals) {
      got += x.n;
      expect(got).toBeLessThanOrEqual(((x.t - first) / 1000) * 960 + 2 * 128 + 4);
    }
    expect(sameRaster(crop(peer.mechanism.paper.pages[0], 0, r.height), r)).toBe(true);
  });

  it('prints a whole ticket through the agent at 115200 baud; the paper equals the preview', async () => {
    const { a: pa, b } = await ptyPair();
    const peer = new SimulatedEscPosPeer(576);
    await peer.attachPty(b, 115200);
    cleanups.push(() => peer.stop());
    const agent = await startAgent(testConfig({ devices: [{ id: 'ticket', type: 'printer', driver: 'escpos-serial', path: pa, baudRate: 115200, width: 576 }] }));
    cleanups.push(() => agent.cleanup());
    const { id } = (await inject(agent, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    const job = await waitState(agent, id, ['printed', 'failed']);
    expect(job.state).toBe('printed');
    const out = await renderJob({ template: 'queue-ticket', format: 'thermal', data: ticketData(), createdAt: job.createdAt, printerId: 'ticket' }, { widthDots: 576, accepts: 'escpos' }, branding);
    expect(job.bytes).toBe(out.bytes.length);
    expect(sameRaster(crop(peer.mechanism.paper.pages[0], 0, out.pages[0].height), out.pages[0])).toBe(true);
    // Paper out is seen through the serial line too.
    peer.mechanism.condition = { ...peer.mechanism.condition, coverOpen: true };
    const j2 = (await inject(agent, 'POST', '/print/jobs', { template: 'test-page', data: {} })).json();
    expect((await waitState(agent, j2.id, ['waiting'])).code).toBe('cover-open');
  });
});

describe('escpos-device on a device file', () => {
  it('writes a job and reads DLE EOT answers through a pty standing in for /dev/usb/lp0', async () => {
    const { a, b } = await ptyPair();
    const peer = new SimulatedEscPosPeer(576);
    await peer.attachPty(b, 115200);
    cleanups.push(() => peer.stop());
    const printer = new EscPosDevicePrinter('usb', { path: a, width: 576, statusTimeoutMs: 1000 });
    await printer.start();
    cleanups.push(() => printer.stop());
    expect(printer.status().state).toBe('connected');
    const r = renderDoc({ width: 576, blocks: [text('Giấy tiếp nhận hồ sơ và hẹn trả kết quả', { bold: true })] }).raster;
    await printer.write(encodeRasterJob([r]));
    expect(await printer.queryStatus()).toMatchObject({ online: true, paperOut: false });
    await expect.poll(() => peer.mechanism.paper.pages.length, { timeout: 5000 }).toBe(1);
    expect(sameRaster(crop(peer.mechanism.paper.pages[0], 0, r.height), r)).toBe(true);
    peer.mechanism.condition = { ...peer.mechanism.condition, paperOut: true };
    expect(await printer.queryStatus()).toMatchObject({ paperOut: true });
    expect(printer.status()).toMatchObject({ state: 'error', code: 'paper-out' });
  });
});
