/**
 * Printing through the HTTP API with the in-process simulated printer: the bytes it received,
 * decoded back to paper, equal the preview pixel for pixel; paper out, cover open and offline give
 * the right job state and device status event; retry is the only reprint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { startAgent, testConfig, tempDir, type TestAgent } from '../helpers/agent.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { rasterFromRgba, sameRaster, crop, rowIsBlank, getDot, type Raster } from '../../drivers/protocols/escpos/raster.ts';
import type { PrintService } from '../../src/printing/service.ts';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ticketData, receiptData } from '../unit/printing-fixtures.ts';

let agent: TestAgent | null = null;
afterEach(async () => {
  await agent?.cleanup();
  agent = null;
});

async function start(patch: Record<string, any> = {}) {
  agent = await startAgent(testConfig({ printing: { waitingPollMs: 200 }, ...patch }));
  const events: CloudEvent[] = [];
  agent.ctx.bus.subscribe((e) => events.push(e));
  const printer = agent.ctx.devices.get('receipt') as SimulatedPrinter;
  return { a: agent, events, printer };
}

const inject = (a: TestAgent, method: 'GET' | 'POST', url: string, payload?: unknown) => a.fastify.inject({ method, url: `/api/v1${url}`, payload: payload as any, headers: { host: '127.0.0.1' } });

async function pngRaster(png: Buffer): Promise<Raster> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return rasterFromRgba(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height);
}

async function waitState(a: TestAgent, id: string, states: string[]) {
  let body: any;
  await expect
    .poll(
      async () => {
        body = (await inject(a, 'GET', `/print/jobs/${id}`)).json();
        return states.includes(body.state);
      },
      { timeout: 10000, interval: 50 },
    )
    .toBe(true);
  return body;
}

describe('printing API', () => {
  it('prints a queue ticket; the paper decoded from the bytes equals the preview pixel for pixel', async () => {
    const { a, events, printer } = await start();
    const r = await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() });
    expect(r.statusCode).toBe(202);
    const { id, state } = r.json();
    expect(state).toBe('queued');
    const job = await waitState(a, id, ['printed', 'failed']);
    expect(job).toMatchObject({ state: 'printed', printer: 'receipt', subject: 'A012', attempts: 1 });
    expect(job.guarantee).toMatch(/answered fine/);
    expect(events.some((e) => e.type === 'hcc.print.job.printed' && (e.data as any).id === id)).toBe(true);

    const preview = await pngRaster((await inject(a, 'GET', `/print/jobs/${id}/preview.png`)).rawPayload);
    const paper = printer.pages()[printer.pages().length - 1];
    expect(paper.width).toBe(576);
    expect(sameRaster(crop(paper, 0, preview.height), preview)).toBe(true);
    // Past the preview there is only the feed to the cutter.
    for (let y = preview.height; y < paper.height; y++) expect(rowIsBlank(paper, y)).toBe(true);
    expect(printer.mechanism.paper.unknown).toEqual([]);

    const metrics = await a.fastify.inject({ method: 'GET', url: '/metrics', headers: { host: '127.0.0.1' } });
    expect(metrics.body).toMatch(/hcc_print_jobs\{state="printed"\} 1/);

    const paperPng = await inject(a, 'GET', '/devices/receipt/paper.png');
    expect(paperPng.headers['content-type']).toBe('image/png');
    expect(sameRaster(await pngRaster(paperPng.rawPayload), paper)).toBe(true);
  });

  it('prints a two-copy dossier receipt as two cut pages, each equal to its part of the preview', async () => {
    const { a, printer } = await start();
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'dossier-receipt', data: receiptData({ copies: 2 }) })).json();
    await waitState(a, id, ['printed']);
    const pages = printer.pages().slice(-2);
    const preview = await pngRaster((await inject(a, 'GET', `/print/jobs/${id}/preview.png`)).rawPayload);
    const h = preview.height / 2;
    expect(sameRaster(crop(pages[0], 0, h), crop(preview, 0, h))).toBe(true);
    expect(sameRaster(crop(pages[1], 0, h), crop(preview, h, h))).toBe(true);
    expect(sameRaster(crop(pages[0], 0, h), crop(pages[1], 0, h))).toBe(false); // "Liên 1" vs "Liên 2"

    const pdf = await inject(a, 'GET', `/print/jobs/${id}/document.pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses bad data with a clear 400, unknown printers with 404', async () => {
    const { a } = await start();
    const bad = await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: { ...ticketData(), waitingAhead: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/data\.waitingAhead/);
    const extra = await inject(a, 'POST', '/print/jobs', { template: 'test-page', data: { x: 1 } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toMatch(/additional/);
    const tpl = await inject(a, 'POST', '/print/jobs', { template: 'nope', data: {} });
    expect(tpl.statusCode).toBe(400);
    const nf = await inject(a, 'POST', '/print/jobs', { printer: 'ghost', template: 'test-page', data: {} });
    expect(nf.statusCode).toBe(404);
    expect((await inject(a, 'GET', '/print/jobs/nope')).statusCode).toBe(404);
    const badTime = await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData({ issuedAt: '2026-02-30T08:00:00+07:00' }) });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().message).toMatch(/data\.issuedAt is not a real date and time/);
    // An A4 receipt for a thermal printer: refused, rather than PDF bytes printed as junk on the roll.
    const a4 = await inject(a, 'POST', '/print/jobs', { template: 'dossier-receipt', format: 'a4', data: receiptData() });
    expect(a4.statusCode).toBe(400);
    expect(a4.json()).toMatchObject({ error: 'bad-format', messageVi: expect.stringContaining('chỉ in phiếu nhiệt') });
    expect((a.ctx.printing as unknown as { list(o: object): unknown[] }).list({})).toEqual([]);
  });

  for (const [cond, code] of [
    [{ paperOut: true }, 'paper-out'],
    [{ coverOpen: true }, 'cover-open'],
    [{ offline: true }, 'offline'],
  ] as const) {
    it(`${code}: the job waits with that reason, the device reports it, and it prints once fixed`, async () => {
      const { a, events, printer } = await start();
      const set = await inject(a, 'POST', '/devices/receipt/condition', cond);
      expect(set.statusCode).toBe(200);
      const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'test-page', data: {} })).json();
      const w = await waitState(a, id, ['waiting']);
      expect(w.code).toBe(code);
      expect(w.errorVi).toBeTruthy();
      const status = events.filter((e) => e.type === 'hcc.device.status' && (e.data as any).device === 'receipt').map((e) => e.data as any);
      expect(status.some((s) => s.code === code && s.state === 'error' && s.reasonVi)).toBe(true);
      expect(events.some((e) => e.type === 'hcc.print.job.printed')).toBe(false);
      const health = (await inject(a, 'GET', '/health')).json();
      expect(health.checks.printing).toMatchObject({ ok: false, message: expect.stringContaining(code) });
      const before = printer.pages().length;

      const clear = Object.fromEntries(Object.keys(cond).map((k) => [k, false]));
      await inject(a, 'POST', '/devices/receipt/condition', clear);
      const done = await waitState(a, id, ['printed']);
      expect(done.attempts).toBe(1);
      expect(printer.pages().length).toBe(before + 1);
      expect(events.some((e) => e.type === 'hcc.device.status' && (e.data as any).state === 'connected')).toBe(true);
    });
  }

  it('paper running out during a job: failed with the reason, never printed, reprinted only by retry', async () => {
    const { a, events, printer } = await start();
    // The printer accepts the bytes, then reports paper end: exactly what happens mid-roll.
    const orig = printer.write.bind(printer);
    printer.write = async (data: Buffer) => {
      await orig(data);
      printer.setCondition({ paperOut: true });
    };
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    const f = await waitState(a, id, ['failed']);
    expect(f.code).toBe('paper-out');
    expect(f.error).toMatch(/paper/);
    expect(events.find((e) => e.type === 'hcc.print.job.failed')?.data).toMatchObject({ id, code: 'paper-out' });
    printer.write = orig;
    printer.setCondition({ paperOut: false });
    // No silent reprint: the printer is fine again and prints the next job, while this one stays failed.
    const later = (await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    await waitState(a, later.id, ['printed']);
    expect((await inject(a, 'GET', `/print/jobs/${id}`)).json().state).toBe('failed');
    const retry = await inject(a, 'POST', `/print/jobs/${id}/retry`);
    expect(retry.statusCode).toBe(202);
    const ok = await waitState(a, id, ['printed']);
    expect(ok.attempts).toBe(2);
    expect((await inject(a, 'POST', `/print/jobs/${id}/retry`)).statusCode).toBe(409);
  });

  it('an unplugged printer makes jobs wait; replugging resumes them in order', async () => {
    const { a, printer } = await start();
    await inject(a, 'POST', '/devices/receipt/condition', { connected: false });
    const ids: string[] = [];
    for (const n of ['A001', 'A002']) ids.push((await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData({ number: n }) })).json().id);
    const w = await waitState(a, ids[0], ['waiting']);
    expect(w.code).toBe('offline');
    await inject(a, 'POST', '/devices/receipt/condition', { connected: true });
    await waitState(a, ids[1], ['printed']);
    const [j1, j2] = [(await inject(a, 'GET', `/print/jobs/${ids[0]}`)).json(), (await inject(a, 'GET', `/print/jobs/${ids[1]}`)).json()];
    expect(j1.state).toBe('printed');
    expect(j1.printedAt <= j2.printedAt).toBe(true);
    expect(printer.pages().length).toBe(2);
    const list = (await inject(a, 'GET', '/print/jobs?limit=10')).json();
    expect(list.map((j: any) => j.id)).toEqual([ids[1], ids[0]]);
  });

  it('submit inside a transaction that rolls back leaves no job and prints nothing', async () => {
    const { a, printer } = await start();
    expect(() =>
      a.ctx.events.transaction((tx) => {
        a.ctx.printing.submit({ template: 'queue-ticket', data: ticketData() }, tx);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    const ok = a.ctx.events.transaction((tx) => a.ctx.printing.submit({ template: 'queue-ticket', data: ticketData({ number: 'B002' }) }, tx));
    await waitState(a, ok.id, ['printed']);
    expect((await inject(a, 'GET', '/print/jobs')).json()).toHaveLength(1);
    expect(printer.pages()).toHaveLength(1);
  });

  it('text mode (TCVN-3 profile): the printer draws the text; preview is the decoded paper', async () => {
    const { a, printer } = await start({ printing: { waitingPollMs: 200, profiles: [{ printer: 'receipt', mode: 'text', codec: 'tcvn3', codePages: [30, 31] }] } });
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'dossier-receipt', data: receiptData() })).json();
    const job = await waitState(a, id, ['printed']);
    expect(job.bytes).toBeLessThan(6000); // text, not a 50 kB raster
    const preview = await pngRaster((await inject(a, 'GET', `/print/jobs/${id}/preview.png`)).rawPayload);
    const paper = printer.pages()[0];
    expect(sameRaster(crop(paper, 0, preview.height), preview)).toBe(true);
    expect(printer.mechanism.paper.unknown).toEqual([]);
  });

  it('prints the configured logo and erases old job data after keepDataDays', async () => {
    const dir = tempDir('hcc-logo-');
    const c = createCanvas(300, 120);
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 300, 120);
    g.fillStyle = '#c00';
    g.beginPath();
    g.arc(150, 60, 50, 0, Math.PI * 2);
    g.fill();
    writeFileSync(join(dir, 'logo.png'), c.toBuffer('image/png'));
    const { a } = await start({ printing: { waitingPollMs: 200, logo: join(dir, 'logo.png') } });
    const { id } = (await inject(a, 'POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() })).json();
    await waitState(a, id, ['printed']);
    const withLogo = await pngRaster((await inject(a, 'GET', `/print/jobs/${id}/preview.png`)).rawPayload);
    // The dithered red disc sits centred above the agency name.
    let ink = 0;
    for (let y = 4; y < 120; y++) for (let x = 200; x < 376; x++) if (getDot(withLogo, x, y)) ink++;
    expect(ink).toBeGreaterThan(2000);

    const svc = a.ctx.printing as PrintService;
    expect(svc.store.purge(new Date(Date.now() + 1000))).toBe(1);
    expect((await inject(a, 'GET', `/print/jobs/${id}/preview.png`)).statusCode).toBe(410);
    expect((await inject(a, 'GET', `/print/jobs/${id}`)).json().state).toBe('printed');
    rmSync(dir, { recursive: true, force: true });
  });
});
