/**
 * Scan sessions end to end through the HTTP API with the simulated scanner: separator sheets
 * split the PDFs, blank backs disappear, every PDF passes qpdf --check with pages = scanned −
 * blanks − separators; jam → paused → continue; cancel; events; file permissions.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import type { SimulatedDocumentScanner } from '../../drivers/scanner/simulated.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { PageAnalyser } from '../../src/digitise/analyse.ts';
import { processPage } from '../../src/digitise/process.ts';
import { DEFAULT_PROFILE } from '../../src/digitise/config.ts';
import { outboxEvents, pdfInfo, pdfText, qpdfPages } from './digitise-helpers.ts';

let agent: TestAgent;
let sim: SimulatedDocumentScanner;
const live: CloudEvent<any>[] = [];
const work = mkdtempSync(join(tmpdir(), 'hcc-digitise-'));

beforeAll(async () => {
  agent = await startAgent(
    testConfig({
      devices: [{ id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 4, maxDpi: 100 }],
      digitise: { profiles: { fast: { resolution: 100 }, duplex: { source: 'adf-duplex', resolution: 100 }, ocr: { resolution: 100, mode: 'gray', ocr: true } }, ocrCommand: '/nonexistent/tesseract' },
    }),
  );
  sim = agent.ctx.devices.get('docs') as SimulatedDocumentScanner;
  agent.ctx.bus.subscribe((ev) => live.push(ev as CloudEvent<any>));
});
afterAll(async () => {
  await agent?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function post(url: string, body?: object) {
  return agent.fastify.inject({ method: 'POST', url, ...(body ? { payload: body } : {}) });
}
async function session(id: string) {
  await agent.ctx.digitise.settled(id);
  return (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
}

describe('scan sessions (simulated scanner)', () => {
  test('separators split, blanks go, qpdf passes, page counts add up, digitised event in the outbox', async () => {
    sim.load([
      { kind: 'text', title: 'ĐƠN ĐỀ NGHỊ' },
      { kind: 'separator', component: 'Giấy khai sinh' },
      { kind: 'text', photo: true },
      { kind: 'text', stamp: true, back: { kind: 'text', title: 'MẶT SAU CÓ CHỮ' } },
      { kind: 'separator', component: 'Hợp đồng' },
      { kind: 'text' },
      { kind: 'blank' },
    ]);
    const res = await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-0001', profile: 'duplex', components: ['Đơn đề nghị', 'Giấy khai sinh', 'Hợp đồng'] });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    const s = await session(id);
    expect(s.state).toBe('completed');
    // 7 sheets × 2 sides; blank: 6 empty backs + the blank sheet's front; one back carries text.
    expect(s.pages).toBe(14);
    expect(s.separators).toBe(2);
    expect(s.blanks).toBe(7);
    expect(s.kept).toBe(s.pages - s.blanks - s.separators);
    expect(s.documents.map((d: any) => [d.component, d.pages])).toEqual([
      ['Đơn đề nghị', 1],
      ['Giấy khai sinh', 3],
      ['Hợp đồng', 1],
    ]);
    let total = 0;
    for (const d of s.documents) {
      const pdf = await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${d.id}` });
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      const file = join(work, d.name);
      writeFileSync(file, pdf.rawPayload);
      expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(d.sha256);
      expect(pdf.rawPayload.length).toBe(d.size);
      expect(await qpdfPages(file)).toBe(d.pages);
      total += d.pages;
      const text = pdf.rawPayload.toString('latin1');
      expect(text).toContain('<pdfaid:part>2</pdfaid:part>');
      expect(text).toContain('/OutputIntents');
      const info = await pdfInfo(file);
      expect(info).toMatchObject({ DossierCode: '000.00.21.H30-261122-0001', Component: d.component, PageCount: String(d.pages), Device: 'docs (simulated)', Creator: 'hcc-agent' });
      expect(new Date(info.ScanTime).getTime()).toBeGreaterThan(Date.now() - 120_000);
      // PDF/A: the Info entries that XMP mirrors say the same in both places.
      expect(info.Producer).toBe('hcc-agent');
      expect(info.ModDate).toBeUndefined();
      const xmpTitle = /<dc:title>\s*<rdf:Alt>\s*<rdf:li xml:lang="x-default">([^<]*)<\/rdf:li>/.exec(pdf.rawPayload.toString('utf8'))?.[1];
      expect(xmpTitle).toBe(info.Title);
      expect(info.Title).toBe(`000.00.21.H30-261122-0001 – ${d.component}`);
    }
    expect(total).toBe(s.kept);
    expect(agent.ctx.security.audit.list({ limit: 10, subject: '000.00.21.H30-261122-0001' }).filter((a) => a.action === 'scan.document.read')).toHaveLength(3);
    expect(s.documents[1].name).toBe('000.00.21.H30-261122-0001_02_Giay-khai-sinh.pdf');

    // Owner-only files.
    const dir = join(agent.ctx.dataDir, 'scans', id);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.pdf'))) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      // Encrypted at rest by the vault: no PDF (and no JPEG) readable on the disk.
      const raw = readFileSync(join(dir, f));
      expect(raw.subarray(0, 5).toString()).toBe('HCCV1');
      expect(raw.indexOf('%PDF')).toBe(-1);
    }
    expect(readFileSync(join(dir, 'thumbs', '1.jpg')).indexOf(Buffer.from([0xff, 0xd8, 0xff]))).not.toBe(0);
    expect(statSync(join(dir, 'thumbs', '1.jpg')).mode & 0o777).toBe(0o600);

    // Live page events with thumbnails, one per scanned page; completion; the outbox event.
    const pages = live.filter((e) => e.type === 'hcc.scan.page' && e.data.sessionId === id);
    expect(pages).toHaveLength(14);
    expect(pages.map((p) => p.data.kind).filter((k) => k === 'separator')).toHaveLength(2);
    expect(pages[13].data.progress).toEqual({ scanned: 14, kept: 5, blanks: 7, separators: 2 });
    expect(pages[0].data.thumbnail).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    const thumb = await agent.fastify.inject({ method: 'GET', url: pages[2].data.thumbnailUrl });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect(live.some((e) => e.type === 'hcc.scan.completed' && e.data.sessionId === id && e.data.state === 'completed')).toBe(true);
    expect(outboxEvents(agent, 'hcc.scan.page')).toHaveLength(0);
    const dig = outboxEvents(agent, 'hcc.dossier.digitised').find((e) => e.data.sessionId === id)!;
    expect(dig.subject).toBe('000.00.21.H30-261122-0001');
    expect(dig.data.documents.map((d: any) => [d.name, d.pages, d.size, d.sha256])).toEqual(s.documents.map((d: any) => [d.name, d.pages, d.size, d.sha256]));
  });

  test('a jam pauses the session with its own device status; continue scans the rest into the same documents', async () => {
    sim.load([
      { kind: 'separator', component: 'A' },
      { kind: 'text' },
      { kind: 'text' },
      { kind: 'separator', component: 'B' },
      { kind: 'text' },
      { kind: 'text' },
    ]);
    sim.injectFault('jam', 3);
    const { id } = (await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9008', profile: 'fast' })).json();
    let s = await session(id);
    expect(s.state).toBe('paused');
    expect(s.error.code).toBe('jam');
    expect(s.error.messageVi).toMatch(/Kẹt giấy/);
    expect(s.pages).toBe(3);
    const dev = (await agent.fastify.inject({ method: 'GET', url: '/api/v1/devices' })).json().find((d: any) => d.id === 'docs');
    expect(dev.status.code).toBe('jam');
    expect(outboxEvents(agent, 'hcc.device.status').some((e) => e.data.device === 'docs' && e.data.code === 'jam')).toBe(true);
    // Continuing while the PDFs are open: same session, same documents.
    expect((await post(`/api/v1/scans/${id}/continue`)).statusCode).toBe(202);
    s = await session(id);
    expect(s.state).toBe('completed');
    expect(s.pages).toBe(6);
    expect(s.documents.map((d: any) => [d.component, d.pages])).toEqual([
      ['A', 2],
      ['B', 2],
    ]);
    expect((await agent.fastify.inject({ method: 'GET', url: '/api/v1/devices' })).json().find((d: any) => d.id === 'docs').state).toBe('connected');
    expect((await post(`/api/v1/scans/${id}/continue`)).statusCode).toBe(409);
  });

  test('an empty feeder pauses with no-documents; finish completes with what was scanned', async () => {
    sim.load([{ kind: 'text' }]);
    const { id } = (await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9006', profile: 'fast' })).json();
    let s = await session(id);
    expect(s.state).toBe('completed');
    sim.load([]);
    const second = (await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9007', profile: 'fast' })).json().id;
    s = await session(second);
    expect(s.state).toBe('paused');
    expect(s.error.code).toBe('no-documents');
    const fin = await post(`/api/v1/scans/${second}/finish`);
    expect(fin.statusCode).toBe(200);
    expect(fin.json().state).toBe('completed');
    expect(fin.json().documents).toEqual([]);
    expect(fin.json().warnings.map((w: any) => w.code)).toContain('nothing-kept');
  });

  test('cancel stops the scan and deletes its files', async () => {
    sim.load(Array.from({ length: 40 }, () => ({ kind: 'text' as const })));
    const { id } = (await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9002', profile: 'fast' })).json();
    await new Promise<void>((resolve) => {
      const off = agent.ctx.bus.subscribe((e) => {
        if (e.type === 'hcc.scan.page' && (e.data as any).sessionId === id) {
          off();
          resolve();
        }
      });
    });
    const res = await post(`/api/v1/scans/${id}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json().state).toBe('cancelled');
    expect(res.json().pages).toBeLessThan(40);
    expect(res.json().documents.every((d: any) => d.state === 'discarded')).toBe(true);
    expect(() => statSync(join(agent.ctx.dataDir, 'scans', id))).toThrow();
    expect(outboxEvents(agent, 'hcc.dossier.digitised').some((e) => e.data.sessionId === id)).toBe(false);
  });

  test('OCR asked for without tesseract: the session says so and the PDF is still made', async () => {
    sim.load([{ kind: 'text' }]);
    const { id } = (await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9010', profile: 'ocr' })).json();
    const s = await session(id);
    expect(s.state).toBe('completed');
    expect(s.warnings).toEqual([expect.objectContaining({ code: 'ocr-unavailable', message: expect.stringMatching(/tesseract is not installed/) })]);
    expect(s.documents[0].pages).toBe(1);
  });

  test('refusals: unknown scanner, unknown profile, unknown fields, busy scanner, missing session', async () => {
    expect((await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9018', scanner: 'nope' })).statusCode).toBe(404);
    expect((await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9018', profile: 'nope' })).json().error).toBe('unknown-profile');
    expect((await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9018', colour: 'red' })).statusCode).toBe(400);
    expect((await post('/api/v1/scans', { dossierCode: '../etc' })).statusCode).toBe(400);
    // code-like but no dossier code: scans are kept and uploaded under it
    const notACode = await post('/api/v1/scans', { dossierCode: 'ABC-123' });
    expect(notACode.statusCode).toBe(400);
    expect(notACode.json()).toMatchObject({ error: 'bad-dossier-code', messageVi: expect.stringContaining('không phải mã hồ sơ') });
    sim.load(Array.from({ length: 30 }, () => ({ kind: 'text' as const })));
    const { id } = (await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9019', profile: 'fast' })).json();
    const busy = await post('/api/v1/scans', { dossierCode: '000.00.21.H30-261122-9020', profile: 'fast' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toBe('scanner-busy');
    await post(`/api/v1/scans/${id}/cancel`);
    expect((await agent.fastify.inject({ method: 'GET', url: '/api/v1/scans/none' })).statusCode).toBe(404);
  });

  test('separator.pdf: a valid PDF whose QR the scanner path recognises', async () => {
    const res = await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/separator.pdf?component=${encodeURIComponent('Giấy khai sinh')}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const file = join(work, 'separator.pdf');
    writeFileSync(file, res.rawPayload);
    expect(await qpdfPages(file)).toBe(1);
    const text = await pdfText(file);
    // Ghostscript's txtwrite garbles CMap ranges for Vietnamese letters; the ASCII runs prove the text layer.
    expect(text).toContain('Dossier component separator sheet');
    expect(text).toContain('khai sinh');
    expect(readFileSync(file).toString('latin1')).toContain('<pdfaid:part>2</pdfaid:part>');
    // Printed and scanned back (rasterised at 150 dpi grey), the sheet is recognised as the separator.
    const png = join(work, 'separator.png');
    await promisify(execFile)('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=pnggray', '-r150', `-sOutputFile=${png}`, file]);
    const meta = await sharp(png).metadata();
    const analyser = new PageAnalyser();
    try {
      const r = await processPage({ index: 0, image: readFileSync(png), format: 'png', width: meta.width!, height: meta.height!, dpi: 150 }, { ...DEFAULT_PROFILE }, analyser);
      expect(r.kind).toBe('separator');
      expect(r.component).toBe('Giấy khai sinh');
    } finally {
      await analyser.close();
    }
  });

  test('a session cut by a restart ends as failed and its partial file goes', async () => {
    const { DigitiseService } = await import('../../src/digitise/service.ts');
    const store = agent.ctx.digitise.store;
    const at = new Date().toISOString();
    store.insertSession({ id: 'crashed-1', dossierCode: '000.00.21.H30-261122-9003', scanner: 'docs', profile: 'fast', components: null }, at);
    store.updateSession('crashed-1', { state: 'paused' }, at);
    const partial = join(work, 'partial.pdf');
    writeFileSync(partial, '%PDF-1.7 partial');
    store.insertDocument({ id: 'crashed-doc', sessionId: 'crashed-1', seq: 1, component: 'A', name: 'x.pdf', path: partial }, at);
    const again = new DigitiseService({ config: agent.ctx.config, dataDir: agent.ctx.dataDir, db: agent.ctx.db, events: agent.ctx.events, devices: agent.ctx.devices, log: agent.ctx.log });
    await again.start();
    await again.stop();
    const v = agent.ctx.digitise.view('crashed-1')!;
    expect(v.state).toBe('failed');
    expect(v.error?.code).toBe('interrupted');
    expect(v.documents[0].state).toBe('discarded');
    expect(existsSync(partial)).toBe(false);
  });
});

describe('scan routes need the scan scope', () => {
  test('a foreign app with a print-only token is refused; with scan it may start a session', async () => {
    const a = await startAgent(
      testConfig({
        devices: [{ id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 1, maxDpi: 100 }],
        security: { allowedOrigins: ['http://clerk.example'], tokens: [{ name: 'printer-app', token: 'print-only-token', scopes: ['print'] }, { name: 'clerk-app', token: 'clerk-scan-token', scopes: ['scan'] }] },
      }),
    );
    try {
      const call = (token: string) => a.fastify.inject({ method: 'POST', url: '/api/v1/scans', headers: { origin: 'http://clerk.example', authorization: `Bearer ${token}` }, payload: { dossierCode: '000.00.21.H30-261122-9015' } });
      expect((await call('print-only-token')).statusCode).toBe(403);
      const ok = await call('clerk-scan-token');
      expect(ok.statusCode).toBe(202);
      await a.ctx.digitise.settled(ok.json().id);
      const sep = await a.fastify.inject({ method: 'GET', url: '/api/v1/scans/separator.pdf?component=A', headers: { origin: 'http://clerk.example', authorization: 'Bearer print-only-token' } });
      expect(sep.statusCode).toBe(403);
    } finally {
      await a.cleanup();
    }
  });
});
