/**
 * Hand-over to the central side: resumable tus upload in chunks, each chunk and the whole file
 * verified by SHA-256, local copy deleted only after that; a broken connection resumes where the
 * server stopped; a hash mismatch keeps the file. Retention deletes old scans with an event.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import type { SimulatedDocumentScanner } from '../../drivers/scanner/simulated.ts';
import { outboxEvents, until } from './digitise-helpers.ts';

interface Upload {
  length: number;
  meta: Record<string, string>;
  data: Buffer[];
  offset: number;
  done: boolean;
}

/** tus 1.0 server (creation + checksum), checking the whole-file sha256 from the metadata at the end. */
class TusServer {
  server: Server = createServer((req, res) => void this.handle(req, res));
  uploads = new Map<string, Upload>();
  log: string[] = [];
  /** Drop the connection on this many PATCH requests (counted from now). */
  breakPatches = 0;
  /** Flip a byte of the stored file (simulates corruption on the way). */
  corrupt = false;
  url = '';

  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/files`;
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.log.push(`${req.method} ${req.url}`);
    const send = (code: number, headers: Record<string, string | number> = {}) => {
      res.writeHead(code, { 'Tus-Resumable': '1.0.0', ...headers });
      res.end();
    };
    if (req.headers['tus-resumable'] !== '1.0.0' || req.headers.authorization !== 'Bearer central-secret') return send(412);
    if (req.method === 'POST' && req.url === '/files') {
      const id = randomUUID();
      const meta = Object.fromEntries(String(req.headers['upload-metadata']).split(',').map((kv) => { const [k, v] = kv.split(' '); return [k, Buffer.from(v, 'base64').toString('utf8')]; }));
      this.uploads.set(id, { length: Number(req.headers['upload-length']), meta, data: [], offset: 0, done: false });
      return send(201, { Location: `/files/${id}` });
    }
    const u = this.uploads.get(String(req.url).replace('/files/', ''));
    if (!u) return send(404);
    if (req.method === 'HEAD') return send(200, { 'Upload-Offset': u.offset, 'Upload-Length': u.length, 'Cache-Control': 'no-store' });
    if (req.method === 'PATCH') {
      if (Number(req.headers['upload-offset']) !== u.offset) return send(409);
      const [algo, sum] = String(req.headers['upload-checksum']).split(' ');
      if (algo !== 'sha256' || createHash('sha256').update(body).digest('base64') !== sum) return send(460);
      u.data.push(body);
      u.offset += body.length;
      if (this.breakPatches > 0) {
        // The chunk is stored but the answer never arrives: the client must ask HEAD where to resume.
        this.breakPatches--;
        req.socket.destroy();
        return;
      }
      if (u.offset === u.length) {
        let file = Buffer.concat(u.data);
        if (this.corrupt) { file = Buffer.from(file); file[100] ^= 0xff; }
        if (createHash('sha256').update(file).digest('hex') !== u.meta.sha256) {
          this.uploads.delete(String(req.url).replace('/files/', ''));
          return send(460);
        }
        u.done = true;
      }
      return send(204, { 'Upload-Offset': u.offset });
    }
    return send(405);
  }
}

const central = new TusServer();
let agent: TestAgent;
let sim: SimulatedDocumentScanner;

beforeAll(async () => {
  await central.start();
  agent = await startAgent(
    testConfig({
      devices: [{ id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 3, maxDpi: 100 }],
      digitise: { profiles: { fast: { resolution: 100 } }, defaultProfile: 'fast', upload: { url: central.url, token: 'central-secret', chunkBytes: 16384, retryMs: 100 } },
    }),
  );
  sim = agent.ctx.devices.get('docs') as SimulatedDocumentScanner;
});
afterAll(async () => {
  await agent?.cleanup();
  await central.stop();
});

async function scanOne(code: string) {
  sim.load([{ kind: 'text', photo: true }, { kind: 'text', stamp: true }]);
  const { id } = (await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: code } })).json();
  await agent.ctx.digitise.settled(id);
  const s = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
  expect(s.state).toBe('completed');
  return { id, doc: s.documents[0], path: agent.ctx.digitise.document(id, s.documents[0].id)!.path };
}

describe('upload to the central side', () => {
  test('chunked, resumed after a broken connection, verified, then deleted locally with an event', async () => {
    central.breakPatches = 1;
    const { id, doc, path } = await scanOne('000.00.21.H30-261122-9016');
    expect(doc.size).toBeGreaterThan(3 * 16384);
    await until(() => agent.ctx.digitise.document(id, doc.id)?.state === 'uploaded' && !existsSync(path), 30_000);
    const up = [...central.uploads.values()].find((u) => u.meta.documentId === doc.id)!;
    expect(up.done).toBe(true);
    const received = Buffer.concat(up.data);
    expect(createHash('sha256').update(received).digest('hex')).toBe(doc.sha256);
    expect(up.meta).toMatchObject({ filename: doc.name, dossierCode: '000.00.21.H30-261122-9016', component: doc.component, sha256: doc.sha256, filetype: 'application/pdf' });
    // The broken PATCH was followed by a HEAD to find the offset, and no byte was sent twice.
    expect(central.log.filter((l) => l.startsWith('HEAD'))).toHaveLength(1);
    expect(received.length).toBe(doc.size);
    expect(existsSync(path)).toBe(false);
    const ev = outboxEvents(agent, 'hcc.scan.uploaded').find((e) => e.data.documentId === doc.id)!;
    expect(ev.data).toMatchObject({ name: doc.name, sha256: doc.sha256, size: doc.size });
    const gone = await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${doc.id}` });
    expect(gone.statusCode).toBe(410);
    // Nothing of the scan stays on the desk once the central side has it: thumbnails go too.
    await until(() => !existsSync(join(dirname(path), 'thumbs')), 10_000);
    expect((await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/pages/1/thumb.jpg` })).statusCode).toBe(404);
  });

  test('a whole-file hash mismatch keeps the local copy', async () => {
    central.corrupt = true;
    const { id, doc, path } = await scanOne('000.00.21.H30-261122-9017');
    await until(() => central.log.filter((l) => l.startsWith('POST')).length >= 2 && agent.ctx.digitise.uploader.lastError, 30_000);
    expect(agent.ctx.digitise.uploader.lastError).toMatch(/checksum mismatch/);
    expect(agent.ctx.digitise.document(id, doc.id)!.state).toBe('ready');
    expect(existsSync(path)).toBe(true);
    central.corrupt = false;
    // Retried with a fresh upload (the server dropped the bad one); the file goes once it is verified.
    await until(() => agent.ctx.digitise.document(id, doc.id)?.state === 'uploaded' && !existsSync(path), 30_000);
  });
});

describe('retention', () => {
  test('scans older than the retention period are deleted, uploaded or not, with an event', async () => {
    await central.stop();
    const { id, doc, path } = await scanOne('000.00.21.H30-261122-9012');
    await agent.ctx.digitise.uploader.idle();
    expect(existsSync(path)).toBe(true);
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    agent.ctx.db.prepare('UPDATE scan_documents SET created_at = ? WHERE session_id = ?').run(old, id);
    agent.ctx.db.prepare('UPDATE scan_sessions SET created_at = ? WHERE id = ?').run(old, id);
    const fresh = await scanOne('000.00.21.H30-261122-9009');
    expect(await agent.ctx.digitise.sweep()).toBe(1);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(fresh.path)).toBe(true);
    expect(agent.ctx.digitise.document(id, doc.id)!.state).toBe('deleted');
    const ev = outboxEvents(agent, 'hcc.scan.deleted').find((e) => e.data.documentId === doc.id)!;
    expect(ev.subject).toBe('000.00.21.H30-261122-9012');
    expect(ev.data).toMatchObject({ uploaded: false, reason: 'retention', retentionDays: 7, sha256: doc.sha256 });
    expect((await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/pages/1/thumb.jpg` })).statusCode).toBe(404);
    expect((await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${doc.id}` })).statusCode).toBe(410);
  });
});
