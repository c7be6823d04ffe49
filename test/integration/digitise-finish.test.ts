/**
 * Finishing a paused session is one operation at a time: a clerk's double click on "Kết thúc",
 * or continue/cancel while the PDFs are being closed, gets 409 instead of ending the PDF twice
 * (which raised an uncaught ERR_STREAM_PUSH_AFTER_EOF and killed the daemon).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import type { SimulatedDocumentScanner } from '../../drivers/scanner/simulated.ts';
import { outboxEvents, qpdfPages } from './digitise-helpers.ts';

let agent: TestAgent;
let sim: SimulatedDocumentScanner;
const work = mkdtempSync(join(tmpdir(), 'hcc-digitise-finish-'));
// Anything escaping to the process level is what would have killed the daemon.
const escaped: unknown[] = [];
const onEscape = (e: unknown) => escaped.push(e);

beforeAll(async () => {
  agent = await startAgent(testConfig({ devices: [{ id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 4, maxDpi: 100 }], digitise: { profiles: { fast: { resolution: 100 } } } }));
  sim = agent.ctx.devices.get('docs') as SimulatedDocumentScanner;
});
afterAll(async () => {
  await agent?.cleanup();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  escaped.length = 0;
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterEach(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

const post = (url: string) => agent.fastify.inject({ method: 'POST', url });
async function session(id: string) {
  await agent.ctx.digitise.settled(id);
  return (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
}

/** A session paused by a jam after two pages, into components A and B. */
async function pausedSession(code: string): Promise<string> {
  sim.load([{ kind: 'separator', component: 'A' }, { kind: 'text' }, { kind: 'separator', component: 'B' }, { kind: 'text' }, { kind: 'text' }]);
  sim.injectFault('jam', 4);
  const { id } = (await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: code, profile: 'fast' } })).json();
  const s = await session(id);
  expect(s.state).toBe('paused');
  return id;
}

async function expectIntactPdfs(id: string, code: string): Promise<void> {
  const s = await session(id);
  expect(s.state).toBe('completed');
  expect(s.documents.map((d: any) => [d.component, d.state, d.pages])).toEqual([
    ['A', 'ready', 1],
    ['B', 'ready', 1],
  ]);
  for (const d of s.documents) {
    const pdf = await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${d.id}` });
    expect(pdf.statusCode).toBe(200);
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(d.sha256);
    const file = join(work, `${id}-${d.component}.pdf`);
    writeFileSync(file, pdf.rawPayload);
    expect(await qpdfPages(file)).toBe(1);
  }
  // One completion, not two.
  expect(outboxEvents(agent, 'hcc.dossier.digitised').filter((e) => e.data.dossierCode === code)).toHaveLength(1);
}

describe('finishing a paused scan session', () => {
  test('two concurrent finishes: one 200, one 409 (en+vi), PDFs intact, the process alive', async () => {
    const id = await pausedSession('000.00.21.H30-261122-9004');
    const [a, b] = await Promise.all([post(`/api/v1/scans/${id}/finish`), post(`/api/v1/scans/${id}/finish`)]);
    const codes = [a.statusCode, b.statusCode].sort();
    expect(codes).toEqual([200, 409]);
    const ok = a.statusCode === 200 ? a : b;
    const busy = a.statusCode === 200 ? b : a;
    expect(ok.json().state).toBe('completed');
    expect(busy.json()).toMatchObject({ error: 'session-finishing', message: expect.stringMatching(/being finished/), messageVi: expect.stringMatching(/kết thúc/) });
    await agent.ctx.digitise.settled(id);
    await expectIntactPdfs(id, '000.00.21.H30-261122-9004'); // (qpdf runs: anything a double end would raise has escaped by then)
    expect(escaped).toEqual([]);
    // Still serving: a later finish is told the session ended.
    expect((await post(`/api/v1/scans/${id}/finish`)).statusCode).toBe(409);
  });

  test('continue or cancel while a finish is writing the PDFs gets 409 and the finish completes', async () => {
    const id = await pausedSession('000.00.21.H30-261122-9005');
    const [fin, cont, cancel] = await Promise.all([post(`/api/v1/scans/${id}/finish`), post(`/api/v1/scans/${id}/continue`), post(`/api/v1/scans/${id}/cancel`)]);
    expect(fin.statusCode).toBe(200);
    expect(cont.statusCode).toBe(409);
    expect(cont.json().error).toBe('session-finishing');
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().error).toBe('session-finishing');
    await agent.ctx.digitise.settled(id);
    await expectIntactPdfs(id, '000.00.21.H30-261122-9005');
    expect(escaped).toEqual([]);
  });
});
