/**
 * escpos-serial through the agent over a socat pty pair, with socat killed mid-job (the USB-serial
 * adapter pulled out): the job is reported failed, never printed, the printer is not left locked,
 * and the next job after the line comes back prints in full.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startAgent, testConfig, tempDir, type TestAgent } from '../helpers/agent.ts';
import { PtyPair } from '../helpers/pty.ts';
import { SimulatedEscPosPeer } from '../../drivers/printer/simulated.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { crop, sameRaster } from '../../drivers/protocols/escpos/raster.ts';
import { renderJob } from '../../src/printing/render.ts';
import { ticketData } from '../unit/printing-fixtures.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const inject = (a: TestAgent, method: 'GET' | 'POST', url: string, payload?: unknown) => a.fastify.inject({ method, url: `/api/v1${url}`, payload: payload as any, headers: { host: '127.0.0.1' } });
const job = async (a: TestAgent, id: string) => (await inject(a, 'GET', `/print/jobs/${id}`)).json();

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };

describe('escpos-serial: line lost mid-job', () => {
  it('socat killed mid-transfer: the job fails (transfer-failed) within a bound, and the next job after reconnect prints', async () => {
    const line = new PtyPair(tempDir('hcc-pty-'));
    cleanups.push(() => rmSync(line.dir, { recursive: true, force: true }));
    cleanups.push(() => line.stop('SIGKILL'));
    await line.start();
    let peer = new SimulatedEscPosPeer(576);
    await peer.attachPty(line.deviceEnd, 115200);
    cleanups.push(() => peer.stop());

    const agent = await startAgent(
      testConfig({ devices: [{ id: 'ticket', type: 'printer', driver: 'escpos-serial', path: line.agentEnd, baudRate: 115200, width: 576, statusTimeoutMs: 500 }], printing: { waitingPollMs: 200 } }),
    );
    cleanups.push(() => agent.cleanup());
    const events: CloudEvent[] = [];
    agent.ctx.bus.subscribe((e) => events.push(e));
    const dev = agent.ctx.devices.get('ticket')!;
    await expect.poll(() => dev.status().state, { timeout: 5000 }).toBe('connected');

    // ~40 kB: about 4 s on the paced line, so it is surely mid-transfer when the line dies.
    const first = (await inject(agent, 'POST', '/print/jobs', { template: 'test-page', data: {} })).json();
    await expect.poll(() => peer.arrivals.reduce((n, x) => n + x.n, 0), { timeout: 10000, interval: 20 }).toBeGreaterThan(8000);
    expect((await job(agent, first.id)).state).toBe('printing');
    const killedAt = performance.now();
    await line.stop('SIGKILL');
    await peer.stop();

    await expect.poll(async () => (await job(agent, first.id)).state, { timeout: 5000, interval: 50 }).toBe('failed');
    expect(performance.now() - killedAt).toBeLessThan(5000);
    const failed = await job(agent, first.id);
    expect(failed.code).toBe('transfer-failed');
    expect(failed.error).toMatch(/connection lost while sending/);
    // The driver's own Vietnamese reason, when it gives one, goes in brackets.
    expect(failed.errorVi).toMatch(/^mất kết nối khi đang gửi lệnh in( \(cổng nối tiếp .+\))?; phiếu có thể in dở/);
    expect(events.some((e) => e.type === 'hcc.print.job.printed' && (e.data as { id: string }).id === first.id)).toBe(false);
    await expect.poll(() => dev.status().state, { timeout: 3000 }).toBe('disconnected');

    // Replug: same paths, a fresh printer on the far end.
    await line.start();
    peer = new SimulatedEscPosPeer(576);
    await peer.attachPty(line.deviceEnd, 115200);
    await expect.poll(() => dev.status().state, { timeout: 5000 }).toBe('connected');

    const second = (await inject(agent, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    await expect.poll(async () => (await job(agent, second.id)).state, { timeout: 15000, interval: 50 }).toBe('printed');
    const done = await job(agent, second.id);
    const out = await renderJob({ template: 'queue-ticket', format: 'thermal', data: ticketData(), createdAt: done.createdAt, printerId: 'ticket' }, { widthDots: 576, accepts: 'escpos' }, branding);
    expect(sameRaster(crop(peer.mechanism.paper.pages[0], 0, out.pages[0].height), out.pages[0])).toBe(true);
    // The interrupted job stays failed: it is reprinted only on an explicit retry.
    expect((await job(agent, first.id)).state).toBe('failed');
  }, 40000);
});
