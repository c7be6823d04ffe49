/**
 * Previews cost little and an overload never outlives its cause: a long two-copy receipt's preview
 * is made once and kept, twenty parallel asks share it, and afterwards every route answers again.
 */
import { describe, it, expect, afterAll, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { dossierCodeOn } from '../helpers/codes.ts';
import { memoryOverloaded } from '../../src/http/guards.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated.ts';

const GiB = 1024 ** 3;
const MB = 1024 ** 2;
// The default memory limit, with the event loop guard left off (a busy CI machine lags).
const agent = await startAgent(testConfig({ printing: { waitingPollMs: 200 }, http: { maxRssBytes: GiB } }));
afterAll(() => agent.cleanup());
const H = { host: 'localhost' };

/** Peak resident memory since the last reset (Linux: /proc/self/status VmHWM, reset by clear_refs 5). */
const peakRss = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');

function longReceipt(n: number) {
  const now = Date.now();
  return {
    code: dossierCodeOn(n, now),
    body: {
      applicant: { name: 'Nguyễn Văn Bình', phone: '0912345678', address: 'Số 1 Tràng Tiền, Hà Nội'.padEnd(300, '.') },
      request: 'Cấp đổi giấy chứng nhận quyền sử dụng đất '.padEnd(1000, 'ữ'),
      components: Array.from({ length: 60 }, (_, i) => ({ name: `Giấy tờ số ${i + 1} `.padEnd(300, 'ạ'), originals: 1, copies: 1 })),
      sets: 1,
      processingTime: '15 ngày làm việc',
      receivedAt: new Date(now - 60_000).toISOString(),
      appointmentAt: new Date(now + 15 * 86_400_000).toISOString(),
      returnMethod: 'counter',
      clerk: 'Trần Thị Hoa',
      copies: 2,
    },
  };
}
async function receive(n: number): Promise<string> {
  const { code, body } = longReceipt(n);
  const r = await agent.fastify.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/receive`, headers: H, payload: body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().printJobId;
}
const previews = (id: string, n: number) => Promise.all(Array.from({ length: n }, () => agent.fastify.inject({ url: `/api/v1/print/jobs/${id}/preview.png`, headers: H })));

describe('previews', () => {
  it('twenty parallel previews of a long two-copy receipt cost little memory, and every route answers afterwards', async () => {
    const id = await receive(1);
    await expect.poll(() => agent.ctx.printing.get(id)?.state, { timeout: 60_000 }).toBe('printed');
    resetPeak();
    const before = process.memoryUsage().rss;
    const all = await previews(id, 20);
    expect(all.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(all.map((r) => r.rawPayload.toString('base64'))).size).toBe(1);
    const png = all[0].rawPayload;
    // A 1-bit grayscale PNG of the raster (IHDR: bit depth 1, colour type 0), not a 32-bit canvas.
    expect([png[24], png[25]]).toEqual([1, 0]);
    expect(png.length).toBeLessThan(300 * 1024);
    // Measured before the change: 7.9 GB peak, 2.9 GB resident afterwards; now a few MB.
    expect(peakRss() - before).toBeLessThan(200 * MB);
    // The memory guard samples once a second: after a sample, nothing is refused.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await agent.fastify.inject({ url: '/api/v1/devices', headers: H })).statusCode).toBe(200);
    const health = await agent.fastify.inject({ url: '/api/v1/health', headers: H });
    expect(health.statusCode).toBe(200);
    expect(health.json().checks.load).toEqual({ ok: true });
  }, 120_000);

  it('renders a job not yet printed once for many parallel asks', async () => {
    const printer = agent.ctx.devices.get('receipt') as SimulatedPrinter;
    printer.setCondition({ paperOut: true });
    const id = await receive(2);
    await expect.poll(() => agent.ctx.printing.get(id)?.state, { timeout: 15_000 }).toBe('waiting');
    const renderer = (agent.ctx.printing as unknown as { renderer: { render(...a: unknown[]): Promise<unknown> } }).renderer;
    const render = vi.spyOn(renderer, 'render');
    const all = await previews(id, 20);
    expect(all.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(render).toHaveBeenCalledTimes(1);
    expect((await previews(id, 1))[0].rawPayload.equals(all[0].rawPayload)).toBe(true);
    expect(render).toHaveBeenCalledTimes(1);
    render.mockRestore();
    printer.setCondition({ paperOut: false });
  }, 120_000);
});

describe('the memory guard', () => {
  it('holds while the agent uses the memory, and lifts once it is released even if RSS stays high', () => {
    expect(memoryOverloaded(GiB, { rss: 3 * GiB, heapUsed: 700 * MB, external: 100 * MB })).toBe(true);
    expect(memoryOverloaded(GiB, { rss: 3 * GiB, heapUsed: 80 * MB, external: 20 * MB })).toBe(false);
    expect(memoryOverloaded(GiB, { rss: 900 * MB, heapUsed: 800 * MB, external: 0 })).toBe(false);
    expect(memoryOverloaded(0, { rss: 3 * GiB, heapUsed: 3 * GiB, external: 0 })).toBe(false);
  });

  it('never refuses /health, which says why the agent is degraded', async () => {
    const a = await startAgent(testConfig({ http: { maxRssBytes: 1 } }));
    try {
      const refused = await a.fastify.inject({ url: '/api/v1/devices', headers: H });
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ error: 'overloaded', messageVi: expect.any(String) });
      const health = await a.fastify.inject({ url: '/api/v1/health', headers: H });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'degraded', checks: { load: { ok: false, message: expect.stringMatching(/overloaded/) } } });
    } finally {
      await a.cleanup();
    }
  });
});
