/**
 * The CUPS driver against a real cupsd started for this file (test/helpers/cupsd.ts).
 * The thermal queue is raw with a socket:// device pointing at a TCP peer on loopback, as a LAN
 * ESC/POS printer is reached through CUPS (CUPS 2.4 writes nothing for a raw job to a file: device:
 * with no filter there is nobody to copy the spool file). The A4 queue uses cups-filters' generic
 * PDF model with a file: device, so the PDF goes through the real pdftopdf filter.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startCupsd, GENERIC_PDF_PPD, type PrivateCupsd } from '../helpers/cupsd.ts';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { CupsPrinter } from '../../drivers/printer/cups.ts';
import { SimulatedEscPosPeer } from '../../drivers/printer/simulated.ts';
import { renderJob } from '../../src/printing/render.ts';
import { dossierReceiptPdf } from '../../src/printing/pdf.ts';
import { GS_V_0 } from '../../drivers/protocols/escpos/encode.ts';
import { crop, sameRaster } from '../../drivers/protocols/escpos/raster.ts';
import { receiptData, ticketData } from '../unit/printing-fixtures.ts';

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };

/** A LAN printer's port 9100 that only records what it receives, one buffer per connection. */
class ByteSink {
  private server: Server | null = null;
  jobs: Buffer[] = [];
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d) => chunks.push(d));
      s.on('end', () => {
        this.jobs.push(Buffer.concat(chunks));
        s.end();
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let cups: PrivateCupsd;
const sink = new ByteSink();
let a4Out = '';
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  cups = await startCupsd();
  await sink.start();
  const r = await cups.must('lpadmin', ['-p', 'Thermal', '-E', '-v', `socket://127.0.0.1:${sink.port}`, '-m', 'raw']);
  // CUPS 2.4 still makes raw queues, with a deprecation warning.
  expect(r.stderr).toMatch(/Raw queues are deprecated/);
  // The office sets its A4 printer's default paper; the generic PPD's own default is Letter.
  a4Out = await cups.addQueue('A4', GENERIC_PDF_PPD);
  await cups.must('lpadmin', ['-p', 'A4', '-o', 'PageSize=A4']);
}, 20000);

afterAll(async () => {
  await cups?.cleanup();
  await sink.stop();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function printer(queue: string, format: 'raw' | 'pdf', env: NodeJS.ProcessEnv = cups.env): CupsPrinter {
  const p = new CupsPrinter(`cups-${queue.toLowerCase()}`, { queue, format, width: 576, env, timeoutMs: 10000 });
  cleanups.push(() => p.stop());
  return p;
}

const requestId = (p: CupsPrinter) => /request (\S+)$/.exec(p.lastTransferNote ?? '')?.[1] ?? '';

describe('cups driver against a real cupsd', () => {
  it('raw queue: a rendered ticket arrives at the printer byte for byte; the note names the CUPS request', async () => {
    const p = printer('Thermal', 'raw');
    await p.start();
    expect(p.status().state).toBe('connected');
    const ticket = await renderJob({ template: 'queue-ticket', format: 'thermal', data: ticketData(), createdAt: '2026-11-22T07:05:00Z', printerId: 'p' }, p, branding);
    expect(ticket.bytes.includes(Buffer.from(GS_V_0))).toBe(true);
    const before = sink.jobs.length;
    await p.write(ticket.bytes);
    expect(p.lastTransferNote).toMatch(/^accepted by CUPS as request Thermal-\d+$/);
    await cups.waitCompleted(requestId(p));
    await expect.poll(() => sink.jobs.length, { timeout: 5000 }).toBe(before + 1);
    expect(sink.jobs[before].equals(ticket.bytes)).toBe(true);
  });

  it('PDF queue: the A4 receipt goes through pdftopdf and reaches the device as an A4 PDF', async () => {
    const p = printer('A4', 'pdf');
    await p.start();
    expect(p.accepts).toBe('pdf');
    const pdf = await dossierReceiptPdf(receiptData({ copies: 2 }) as any, branding);
    await p.write(pdf);
    await cups.waitCompleted(requestId(p));
    const out = readFileSync(a4Out);
    // What this model really sends: a PJL job header, then the PDF itself.
    const text = out.toString('latin1');
    expect(text.startsWith('\x1b%-12345X@PJL')).toBe(true);
    expect(text).toMatch(/@PJL ENTER LANGUAGE = PDF\r?\n%PDF-/);
    const body = out.subarray(text.indexOf('%PDF-'));
    const file = join(cups.dir, 'out', 'a4-extracted.pdf');
    writeFileSync(file, body.subarray(0, body.lastIndexOf('%%EOF') + 5));
    expect(execFileSync('qpdf', ['--show-npages', file]).toString().trim()).toBe('2');
    const info = execFileSync('pdfinfo', [file]).toString();
    expect(info).toMatch(/Page size:\s+595(\.\d+)? x 842(\.\d+)? pts \(A4\)/);
    expect(body.toString('latin1')).toMatch(/FontFile2/); // the embedded Noto Sans survives the filter
  });

  it('a disabled or rejecting queue is offline with CUPS\'s reason; enabled again, it is ready', async () => {
    const p = printer('Thermal', 'raw');
    await p.start();
    await cups.must('cupsdisable', ['-r', 'kẹt giấy / paper jam', 'Thermal']);
    expect(await p.queryStatus()).toMatchObject({ online: false });
    expect(p.status()).toMatchObject({ state: 'error', code: 'offline', reason: 'CUPS queue "Thermal" is stopped (disabled): kẹt giấy / paper jam' });
    expect(p.status().reasonVi).toBe('hàng đợi in CUPS "Thermal" đang tạm dừng: kẹt giấy / paper jam');
    await cups.must('cupsenable', ['Thermal']);
    expect(await p.queryStatus()).toMatchObject({ online: true });
    expect(p.status()).toMatchObject({ state: 'connected', reason: 'ready' });

    await cups.must('cupsreject', ['-r', 'maintenance', 'Thermal']);
    cleanups.push(() => cups.must('cupsaccept', ['Thermal']).then(() => undefined));
    expect(await p.queryStatus()).toMatchObject({ online: false });
    expect(p.status()).toMatchObject({ state: 'error', code: 'offline', reason: 'CUPS queue "Thermal" is not accepting jobs: maintenance' });
    await expect(p.write(Buffer.from([0x1b, 0x40]))).rejects.toThrow('CUPS refused the job: lp: Destination "Thermal" is not accepting jobs.');
    await cups.must('cupsaccept', ['Thermal']);
    expect(await p.queryStatus()).toMatchObject({ online: true });
    expect(p.status().state).toBe('connected');
  });

  it('reads CUPS in English whatever the machine\'s language (lpstat speaks German under LC_ALL=de_DE)', async () => {
    const german = { ...cups.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' };
    const p = printer('Thermal', 'raw', german);
    await p.start();
    await cups.must('cupsdisable', ['Thermal']);
    cleanups.push(() => cups.must('cupsenable', ['Thermal']).then(() => undefined));
    expect(execFileSync('lpstat', ['-p', 'Thermal'], { env: german }).toString()).toMatch(/Drucker Thermal ist deaktiviert/);
    expect(await p.queryStatus()).toMatchObject({ online: false });
    expect(p.status().reason).toBe('CUPS queue "Thermal" is stopped (disabled): Paused');
    await cups.must('cupsenable', ['Thermal']);
    await p.write(Buffer.from([0x1b, 0x40, 0x0a]));
    expect(p.lastTransferNote).toMatch(/^accepted by CUPS as request Thermal-\d+$/);
    await cups.waitCompleted(requestId(p));
  });

  it('a queue that does not exist: disconnected with a clear reason and retried; printing is refused', async () => {
    const p = printer('Nope', 'raw');
    await p.start();
    const st = p.status();
    expect(st.state).toBe('disconnected');
    expect(st.code).toBe('unavailable');
    expect(st.reason).toBe('cannot open: CUPS has no queue named "Nope" (lpstat: Invalid destination name in list "Nope".); retrying');
    expect(st.reasonVi).toBe('không mở được thiết bị: CUPS không có hàng đợi in "Nope" (lpstat: Invalid destination name in list "Nope".); đang thử lại');
    await expect(p.write(Buffer.from([0x1b, 0x40]))).rejects.toThrow(/printer cups-nope is not connected: cannot open: CUPS has no queue named "Nope"/);
    // The queue is added later: the retry finds it.
    await cups.addQueue('Nope');
    cleanups.push(() => cups.must('lpadmin', ['-x', 'Nope']).then(() => undefined));
    await expect.poll(() => p.status().state, { timeout: 3000, interval: 50 }).toBe('connected');
  });
});

describe('cupsd stopped and back', () => {
  it('a running device becomes disconnected with a readable reason, and is back within 2 s of cupsd answering', async () => {
    const p = printer('Thermal', 'raw');
    await p.start();
    expect(p.status().state).toBe('connected');
    await cups.stop();
    let restarted = false;
    cleanups.push(async () => {
      if (!restarted) await cups.start();
    });
    await expect(p.queryStatus()).rejects.toThrow('the CUPS scheduler is not running or not reachable');
    expect(p.status()).toMatchObject({ state: 'disconnected', code: 'unavailable' });
    expect(p.status().reason).toMatch(/^the CUPS scheduler is not running or not reachable/);
    expect(p.status().reasonVi).toMatch(/^dịch vụ in CUPS không chạy hoặc không kết nối được/);
    // Printing while it is down is refused at once, not sent anywhere.
    await expect(p.write(Buffer.from([0x1b, 0x40]))).rejects.toThrow(/printer cups-thermal is not connected/);
    // Let the backoff reach its cap (1 s) before bringing CUPS back.
    await new Promise((r) => setTimeout(r, 2500));
    expect(p.status().state).toBe('disconnected');
    await cups.start();
    restarted = true;
    const back = Date.now();
    await expect.poll(() => p.status().state, { timeout: 5000, interval: 20 }).toBe('connected');
    expect(Date.now() - back).toBeLessThan(2000);
  });

  it('a write to a queue whose scheduler just went away says so and disconnects the device', async () => {
    const p = printer('Thermal', 'raw');
    await p.start();
    await cups.stop();
    try {
      await expect(p.write(Buffer.from([0x1b, 0x40]))).rejects.toThrow('the CUPS scheduler is not running or not reachable (lp: Error - The printer or class does not exist.)');
      expect(p.status()).toMatchObject({ state: 'disconnected', code: 'unavailable' });
      expect(p.lastTransferNote).toBeUndefined();
    } finally {
      await cups.start();
    }
  });
});

describe('the whole agent with a CUPS raw queue', () => {
  it('a queue ticket posted to the API is printed; the peer behind CUPS decodes exactly the preview', async () => {
    const peer = new SimulatedEscPosPeer(576);
    const port = await peer.listenTcp(0);
    cleanups.push(() => peer.stop());
    await cups.must('lpadmin', ['-p', 'Ticket', '-E', '-v', `socket://127.0.0.1:${port}`, '-m', 'raw']);
    cleanups.push(() => cups.must('lpadmin', ['-x', 'Ticket']).then(() => undefined));
    // The driver config has no env key: lp/lpstat take CUPS_SERVER from the agent's environment.
    const saved = process.env.CUPS_SERVER;
    process.env.CUPS_SERVER = cups.env.CUPS_SERVER;
    cleanups.push(() => {
      if (saved === undefined) delete process.env.CUPS_SERVER;
      else process.env.CUPS_SERVER = saved;
    });
    const a: TestAgent = await startAgent(testConfig({ devices: [{ id: 'ticket', type: 'printer', driver: 'cups', queue: 'Ticket', format: 'raw' }] }));
    cleanups.push(() => a.cleanup());
    const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) => a.fastify.inject({ method, url: `/api/v1${url}`, payload: payload as any, headers: { host: '127.0.0.1' } });
    const res = await inject('POST', '/print/jobs', { template: 'queue-ticket', data: ticketData() });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    let job: any;
    await expect.poll(async () => (job = (await inject('GET', `/print/jobs/${id}`)).json()).state, { timeout: 10000, interval: 50 }).toBe('printed');
    expect(job.guarantee).toMatch(/^accepted by CUPS as request Ticket-\d+$/);
    await cups.waitCompleted(job.guarantee.split(' ').pop());
    const out = await renderJob({ template: 'queue-ticket', format: 'thermal', data: ticketData(), createdAt: job.createdAt, printerId: 'ticket' }, { widthDots: 576, accepts: 'escpos' }, branding);
    expect(job.bytes).toBe(out.bytes.length);
    await expect.poll(() => peer.mechanism.paper.pages.length, { timeout: 5000 }).toBe(1);
    expect(sameRaster(crop(peer.mechanism.paper.pages[0], 0, out.pages[0].height), out.pages[0])).toBe(true);
  });
});

