/** OCR with the real tesseract (-l vie): a session with an OCR profile produces a searchable PDF/A. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startAgent, testConfig } from '../helpers/agent.ts';
import type { SimulatedDocumentScanner } from '../../drivers/scanner/simulated.ts';
import { checkOcr } from '../../src/digitise/ocr.ts';
import { pdfText, qpdfPages } from './digitise-helpers.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'hcc-ocr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('OCR (tesseract -l vie)', () => {
  test('availability check names what is missing', async () => {
    expect(await checkOcr('tesseract')).toEqual({ ok: true });
    const missing = await checkOcr('/nonexistent/tesseract');
    expect(missing.ok).toBe(false);
    expect(missing.vi).toMatch(/chưa cài tesseract/);
  });

  test('a searchable PDF: the invisible text layer holds the page’s words', { timeout: 120_000 }, async () => {
    const agent = await startAgent(
      testConfig({
        devices: [{ id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 1, maxDpi: 200 }],
        digitise: { profiles: { searchable: { mode: 'gray', resolution: 200, ocr: true } } },
      }),
    );
    try {
      (agent.ctx.devices.get('docs') as SimulatedDocumentScanner).load([{ kind: 'text', title: 'GIẤY KHAI SINH' }]);
      const { id } = (await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: '000.00.21.H30-261122-9011', profile: 'searchable' } })).json();
      await agent.ctx.digitise.settled(id);
      const s = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
      expect(s.state).toBe('completed');
      expect(s.warnings).toEqual([]);
      const pdf = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${s.documents[0].id}` })).rawPayload;
      const file = join(tmp, 'ocr.pdf');
      writeFileSync(file, pdf);
      expect(await qpdfPages(file)).toBe(1);
      const text = await pdfText(file);
      // Words of the page as tesseract read them (Ghostscript's text dump garbles letters beyond Latin-1, so check the others).
      expect(text).toMatch(/KHAI\s+SINH/);
      expect(text).toMatch(/phúc/);
      expect(text).toMatch(/pháp/);
      const qdf = join(tmp, 'ocr.qdf');
      await run('qpdf', ['--qdf', '--object-streams=disable', file, qdf]);
      const q = readFileSync(qdf).toString('latin1');
      expect(q).toMatch(/3 Tr/);
      // The ToUnicode map carries Vietnamese letters, e.g. "ạ" (U+1EA1) or "ấ" (U+1EA5).
      expect(q).toMatch(/<1ea[15]>/i);
    } finally {
      await agent.cleanup();
    }
  });
});
