/**
 * The eSCL driver against an in-test eSCL server that follows the protocol: capabilities XML,
 * ScannerStatus, POST ScanJobs → 201 + Location, NextDocument 503 (not ready) then 200, 404 at
 * the end, DELETE to cancel; jams and an empty feeder reported through ScannerStatus.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { EsclScanner, parseCapabilities } from '../../drivers/scanner/escl.ts';
import { ScanError, type ScannedPage, type ScanRequest } from '../../drivers/contracts.ts';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { qpdfPages } from './digitise-helpers.ts';

const CAPS = `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>Test AirScan 3000</pwg:MakeAndModel>
  <scan:Platen><scan:PlatenInputCaps>
    <scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth><scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>3508</scan:MaxHeight>
    <scan:SettingProfiles><scan:SettingProfile>
      <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
      <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat><pwg:DocumentFormat>application/pdf</pwg:DocumentFormat></scan:DocumentFormats>
      <scan:SupportedResolutions><scan:DiscreteResolutions>
        <scan:DiscreteResolution><scan:XResolution>100</scan:XResolution><scan:YResolution>100</scan:YResolution></scan:DiscreteResolution>
        <scan:DiscreteResolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:DiscreteResolution>
        <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
      </scan:DiscreteResolutions></scan:SupportedResolutions>
    </scan:SettingProfile></scan:SettingProfiles>
  </scan:PlatenInputCaps></scan:Platen>
  <scan:Adf>
    <scan:AdfSimplexInputCaps><scan:SettingProfiles><scan:SettingProfile>
      <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
    </scan:SettingProfile></scan:SettingProfiles></scan:AdfSimplexInputCaps>
    <scan:AdfDuplexInputCaps><scan:SettingProfiles><scan:SettingProfile>
      <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
    </scan:SettingProfile></scan:SettingProfiles></scan:AdfDuplexInputCaps>
    <scan:FeederCapacity>50</scan:FeederCapacity>
  </scan:Adf>
</scan:ScannerCapabilities>`;

interface Job {
  id: string;
  settings: any;
  pages: Buffer[];
  state: 'Processing' | 'Completed' | 'Canceled' | 'Aborted';
  reasons: string[];
  /** Pages delivered. */
  served: number;
  /** NextDocument answers 503 this many times before each page. */
  notReady: number;
  pending: number;
  jamAfter: number | null;
}

/** A small eSCL scanner: a feeder of JPEG pages, jobs, status. */
class EsclTestServer {
  server: Server = createServer((req, res) => void this.handle(req, res));
  feeder: Buffer[] = [];
  jobs: Job[] = [];
  log: string[] = [];
  adfState = 'ScannerAdfLoaded';
  jamAfter: number | null = null;
  notReady = 1;
  /** The page at this index (of a job) is cut off mid-body: headers and half the JPEG, then the connection drops. */
  dropBodyAt: number | null = null;
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/eSCL`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private busy(): boolean {
    return this.jobs.some((j) => j.state === 'Processing');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url!, 'http://x').pathname;
    this.log.push(`${req.method} ${path}`);
    const xml = (code: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'Content-Type': 'text/xml', ...headers });
      res.end(body);
    };
    if (req.method === 'GET' && path === '/eSCL/ScannerCapabilities') return xml(200, CAPS);
    if (req.method === 'GET' && path === '/eSCL/ScannerStatus') {
      const jobs = this.jobs.map((j) => `<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/${j.id}</pwg:JobUri><pwg:JobState>${j.state}</pwg:JobState><pwg:JobStateReasons>${j.reasons.map((r) => `<pwg:JobStateReason>${r}</pwg:JobStateReason>`).join('')}</pwg:JobStateReasons></scan:JobInfo>`).join('');
      return xml(200, `<?xml version="1.0"?><scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"><pwg:Version>2.63</pwg:Version><pwg:State>${this.busy() ? 'Processing' : 'Idle'}</pwg:State><scan:AdfState>${this.adfState}</scan:AdfState><scan:Jobs>${jobs}</scan:Jobs></scan:ScannerStatus>`);
    }
    if (req.method === 'POST' && path === '/eSCL/ScanJobs') {
      if (this.busy()) return xml(503, '');
      const settings = new XMLParser({ removeNSPrefix: true }).parse(Buffer.concat(chunks).toString('utf8')).ScanSettings;
      const feeder = settings.InputSource === 'Feeder';
      const pages = feeder ? this.feeder.splice(0) : [this.feeder[0] ?? this.feeder[0]];
      const job: Job = { id: randomUUID(), settings, pages: pages.filter(Boolean), state: 'Processing', reasons: ['JobScanning'], served: 0, notReady: this.notReady, pending: this.notReady, jamAfter: this.jamAfter };
      this.jamAfter = null;
      this.jobs.push(job);
      res.writeHead(201, { Location: `/eSCL/ScanJobs/${job.id}` });
      res.end();
      return;
    }
    const m = /^\/eSCL\/ScanJobs\/([^/]+)(\/NextDocument)?$/.exec(path);
    const job = m && this.jobs.find((j) => j.id === m[1]);
    if (!job) return xml(404, '');
    if (req.method === 'DELETE' && !m![2]) {
      job.state = 'Canceled';
      job.reasons = ['JobCanceledByUser'];
      return xml(200, '');
    }
    if (req.method === 'GET' && m![2]) {
      if (job.state !== 'Processing') return xml(404, '');
      if (job.jamAfter !== null && job.served >= job.jamAfter) {
        job.state = 'Aborted';
        job.reasons = ['AdfJam'];
        this.adfState = 'ScannerAdfJam';
        return xml(404, '');
      }
      if (job.served >= job.pages.length) {
        job.state = 'Completed';
        job.reasons = ['JobCompletedSuccessfully'];
        if (job.settings.InputSource === 'Feeder') this.adfState = 'ScannerAdfEmpty';
        return xml(404, '');
      }
      if (job.pending > 0) {
        job.pending--;
        return xml(503, '', { 'Retry-After': '0' });
      }
      job.pending = job.notReady;
      const page = job.pages[job.served++];
      if (this.dropBodyAt === job.served - 1) {
        this.dropBodyAt = null;
        res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(page.length) });
        res.write(page.subarray(0, page.length >> 1));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/jpeg' });
      res.end(page);
      return;
    }
    return xml(405, '');
  }
}

const server = new EsclTestServer();
const tmp = mkdtempSync(join(tmpdir(), 'hcc-escl-'));
let jpegs: Buffer[] = [];

beforeAll(async () => {
  await server.start();
  jpegs = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      sharp({ create: { width: 827, height: 1169, channels: 3, background: '#f4f4f0' } })
        .composite([{ input: Buffer.from(`<svg width="827" height="1169"><text x="80" y="${200 + i * 40}" font-size="48">Trang ${i + 1}</text><rect x="80" y="300" width="600" height="500" fill="#335"/></svg>`), top: 0, left: 0 }])
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
});
afterAll(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  server.adfState = 'ScannerAdfLoaded';
  server.log = [];
});

async function scanner(): Promise<EsclScanner> {
  const s = new EsclScanner('net', server.url, 20);
  await s.start();
  return s;
}
async function collect(s: EsclScanner, req: Partial<ScanRequest>): Promise<ScannedPage[]> {
  const out: ScannedPage[] = [];
  for await (const p of s.scan({ source: 'adf', resolution: 300, mode: 'color', ...req })) out.push(p);
  return out;
}

/** A province's own dossier code shape, configured (barcode.dossierPatterns): scans accept it like the standard one. */
const G09 = '^(?<agency>G\\d{2}\\.\\d{2})-(?<date>\\d{8})-(?<seq>\\d{7})$';

describe('eSCL driver', () => {
  test('capabilities: sources, duplex, colour modes, resolutions, formats', async () => {
    const s = await scanner();
    expect(s.status().state).toBe('connected');
    expect(s.capabilities).toEqual({ makeAndModel: 'Test AirScan 3000', platen: true, adf: true, duplex: true, colorModes: ['RGB24', 'Grayscale8'], resolutions: [100, 200, 300], formats: ['image/jpeg', 'application/pdf'] });
    expect(() => parseCapabilities('<html/>')).toThrow(/not an eSCL/);
    await s.stop();
  });

  test('feeder: job created, 503 answered by retrying, pages as delivered, 404 ends it', async () => {
    server.feeder = jpegs.slice(0, 3);
    const s = await scanner();
    const pages = await collect(s, { source: 'adf-duplex', resolution: 250, mode: 'gray' });
    expect(pages.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(pages.map((p) => p.image)).toEqual(jpegs.slice(0, 3));
    expect(pages[0]).toMatchObject({ format: 'jpeg', width: 827, height: 1169, dpi: 200 });
    const job = server.jobs.at(-1)!;
    expect(job.settings).toMatchObject({ InputSource: 'Feeder', Duplex: true, ColorMode: 'Grayscale8', XResolution: 200, DocumentFormat: 'image/jpeg' });
    expect(job.settings.ScanRegions.ScanRegion).toMatchObject({ Width: 2480, Height: 3508 });
    const next = server.log.filter((l) => l.endsWith('/NextDocument'));
    expect(next).toHaveLength(3 * 2 + 1);
    expect(server.log.some((l) => l.startsWith('DELETE'))).toBe(false);
    expect(job.state).toBe('Completed');
    await s.stop();
  });

  test('flatbed: one page from the platen', async () => {
    server.feeder = [jpegs[3]];
    const s = await scanner();
    const pages = await collect(s, { source: 'flatbed' });
    expect(pages).toHaveLength(1);
    expect(server.jobs.at(-1)!.settings.InputSource).toBe('Platen');
    await s.stop();
  });

  test('a jam mid-job: pages before it are delivered, then ScanError jam and the jam status', async () => {
    server.feeder = jpegs.slice(0, 3);
    server.jamAfter = 1;
    const s = await scanner();
    const got: ScannedPage[] = [];
    const err = await (async () => {
      for await (const p of s.scan({ source: 'adf', resolution: 300, mode: 'color' })) got.push(p);
    })().then(() => null, (e: unknown) => e);
    expect(got).toHaveLength(1);
    expect(err).toBeInstanceOf(ScanError);
    expect((err as ScanError).code).toBe('jam');
    expect((err as ScanError).pagesDelivered).toBe(1);
    expect(s.status()).toMatchObject({ state: 'error', code: 'jam' });
    // Still jammed: the next scan refuses before creating a job.
    const again = await collect(s, {}).then(() => null, (e: unknown) => e);
    expect((again as ScanError).code).toBe('jam');
    server.adfState = 'ScannerAdfLoaded';
    server.feeder = jpegs.slice(1, 3);
    expect(await collect(s, {})).toHaveLength(2);
    expect(s.status()).toMatchObject({ state: 'connected' });
    await s.stop();
  });

  test('an empty feeder is no-documents', async () => {
    server.feeder = [];
    server.adfState = 'ScannerAdfEmpty';
    const s = await scanner();
    const err = await collect(s, {}).then(() => null, (e: unknown) => e);
    expect((err as ScanError).code).toBe('no-documents');
    await s.stop();
  });

  test('cancel: the job is DELETEd', async () => {
    server.feeder = jpegs.slice(0, 4);
    const s = await scanner();
    const ac = new AbortController();
    const err = await (async () => {
      for await (const p of s.scan({ source: 'adf', resolution: 300, mode: 'color', signal: ac.signal })) if (p.index === 0) ac.abort();
    })().then(() => null, (e: unknown) => e);
    expect((err as ScanError).code).toBe('cancelled');
    const job = server.jobs.at(-1)!;
    expect(server.log).toContain(`DELETE /eSCL/ScanJobs/${job.id}`);
    expect(job.state).toBe('Canceled');
    await s.stop();
  });

  test('an unreachable scanner is offline and retried, not a crash', async () => {
    const s = new EsclScanner('gone', 'http://127.0.0.1:9/eSCL', 20);
    await s.start();
    expect(s.status()).toMatchObject({ state: 'disconnected' });
    const err = await collect(s, {}).then(() => null, (e: unknown) => e);
    expect((err as ScanError).code).toBe('offline');
    await s.stop();
  });

  test('the network drops while page 2 downloads: the session pauses offline with page 1 kept, continue finishes it', async () => {
    server.feeder = jpegs.slice(0, 4);
    server.dropBodyAt = 1;
    const agent = await startAgent(testConfig({ devices: [{ id: 'net', type: 'document-scanner', driver: 'escl', url: server.url, pollMs: 50 }], barcode: { dossierPatterns: [G09] } }));
    try {
      const get = async (id: string) => (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
      const { id } = (await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: 'G09.20-20260609-0092638' } })).json();
      await agent.ctx.digitise.settled(id);
      let s = await get(id);
      expect(s).toMatchObject({ state: 'paused', pages: 1, kept: 1, error: { code: 'offline' } });
      expect(s.error.messageVi).toBeTruthy();
      expect(s.documents).toHaveLength(1);
      expect(s.documents[0]).toMatchObject({ state: 'writing', pages: 1 });
      // The cut job was cancelled so the scanner is free again.
      const cut = server.jobs.at(-1)!;
      expect(server.log).toContain(`DELETE /eSCL/ScanJobs/${cut.id}`);
      // The clerk puts pages 2–4 back in the feeder once the scanner is reachable again.
      await expect.poll(() => agent.ctx.devices.get('net')!.status().state, { timeout: 5000 }).toBe('connected');
      server.adfState = 'ScannerAdfLoaded';
      server.feeder = jpegs.slice(1, 4);
      expect((await agent.fastify.inject({ method: 'POST', url: `/api/v1/scans/${id}/continue` })).statusCode).toBe(202);
      await agent.ctx.digitise.settled(id);
      s = await get(id);
      expect(s).toMatchObject({ state: 'completed', pages: 4, kept: 4 });
      expect(s.documents).toHaveLength(1);
      const pdf = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${s.documents[0].id}` })).rawPayload;
      for (const j of jpegs) expect(pdf.indexOf(j)).toBeGreaterThan(0);
      const file = join(tmp, 'escl-drop.pdf');
      writeFileSync(file, pdf);
      expect(await qpdfPages(file)).toBe(4);
    } finally {
      server.dropBodyAt = null;
      await agent.cleanup();
    }
  });

  test('a session through the agent: scanner JPEGs are embedded in the PDF byte for byte', async () => {
    server.feeder = jpegs.slice(0, 4);
    const agent = await startAgent(testConfig({ devices: [{ id: 'net', type: 'document-scanner', driver: 'escl', url: server.url, pollMs: 50 }], barcode: { dossierPatterns: [G09] } }));
    try {
      const { id } = (await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: 'G09.20-20260609-0092637' } })).json();
      await agent.ctx.digitise.settled(id);
      const s = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
      expect(s).toMatchObject({ state: 'completed', pages: 4, kept: 4 });
      const pdf = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${s.documents[0].id}` })).rawPayload;
      for (const j of jpegs) expect(pdf.indexOf(j)).toBeGreaterThan(0);
      const file = join(tmp, 'escl.pdf');
      writeFileSync(file, pdf);
      expect(await qpdfPages(file)).toBe(4);
    } finally {
      await agent.cleanup();
    }
  });
});
