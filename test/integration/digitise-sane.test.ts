/**
 * The SANE driver against the real `scanimage -d test` backend (Debian sane-utils): flatbed,
 * feeder until empty (10 pages), an injected jam, black-and-white and colour, capabilities, and
 * a whole session through the agent producing PDFs that pass qpdf --check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, test } from 'vitest';
import { SaneScanner, buildArgs, parseOptions } from '../../drivers/scanner/sane.ts';
import { ScanError, type DeviceStatus, type ScannedPage, type ScanRequest } from '../../drivers/contracts.ts';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { qpdfPages, outboxEvents } from './digitise-helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hcc-sane-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function withScanner<T>(extraArgs: string[], fn: (s: SaneScanner) => Promise<T>): Promise<T> {
  const s = new SaneScanner('sane-test', 'test', join(tmp, 'work'), extraArgs);
  await s.start();
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

async function collect(s: SaneScanner, req: Partial<ScanRequest>): Promise<ScannedPage[]> {
  const out: ScannedPage[] = [];
  for await (const p of s.scan({ source: 'flatbed', resolution: 50, mode: 'color', ...req })) out.push(p);
  return out;
}

describe('SANE driver (scanimage -d test)', () => {
  test('reads the backend capabilities and maps requests onto its option values', async () => {
    await withScanner([], async (s) => {
      expect(s.status().state).toBe('connected');
      const caps = s.capabilities;
      expect(caps.get('source')?.values).toEqual(['Flatbed', 'Automatic Document Feeder']);
      expect(caps.get('mode')?.values).toEqual(['Gray', 'Color']);
      expect(caps.get('resolution')?.range).toEqual({ min: 1, max: 1200 });
      expect(buildArgs(caps, { source: 'adf', resolution: 2400, mode: 'lineart' }).args).toEqual(['--source=Automatic Document Feeder', '--mode=Gray', '--depth=1', '--resolution=1200', '-x', '200', '-y', '200']);
      const duplex = buildArgs(caps, { source: 'adf-duplex', resolution: 150, mode: 'color' });
      expect(duplex.args[0]).toBe('--source=Automatic Document Feeder');
      expect(duplex.fallback).toMatch(/duplex not offered/);
    });
    const other = parseOptions('  Scan Mode:\n    --mode Lineart|Gray|Color [Lineart]\n    --source Flatbed|ADF Front|ADF Duplex [Flatbed]\n    --resolution 75|150|300|600dpi [150]\n');
    expect(buildArgs(other, { source: 'adf-duplex', resolution: 200, mode: 'lineart' }).args).toEqual(['--source=ADF Duplex', '--mode=Lineart', '--resolution=150']);
  });

  test('flatbed: one colour page', async () => {
    const pages = await withScanner(['--test-picture=Color pattern'], (s) => collect(s, { source: 'flatbed', mode: 'color' }));
    expect(pages).toHaveLength(1);
    const meta = await sharp(pages[0].image).metadata();
    expect(meta.format).toBe('png');
    expect(meta.channels).toBe(3);
    // 200 × 200 mm (the test backend's whole area) at 50 dpi.
    expect([pages[0].width, pages[0].height]).toEqual([393, 393]);
    expect(pages[0].dpi).toBe(50);
  });

  test('feeder until empty: 10 pages, streamed one by one', async () => {
    const pages = await withScanner([], (s) => collect(s, { source: 'adf', mode: 'gray' }));
    expect(pages.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const meta = await sharp(pages[9].image).metadata();
    expect(meta.channels).toBe(1);
  });

  test('black and white: 1-bit pages', async () => {
    const pages = await withScanner(['--test-picture=Grid'], (s) => collect(s, { source: 'flatbed', mode: 'lineart', resolution: 100 }));
    const png = pages[0].image;
    // PNG IHDR: bit depth 1, colour type 0 (greyscale).
    expect([png[24], png[25]]).toEqual([1, 0]);
    const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(new Set(data).size).toBe(2);
  });

  test('a jam (--read-return-value) ends the batch as ScanError jam and sets the jam status; the next good scan clears it', async () => {
    const s = new SaneScanner('sane-jam', 'test', join(tmp, 'work'), ['--read-return-value=SANE_STATUS_JAMMED']);
    const statuses: DeviceStatus[] = [];
    s.on('status', (st: DeviceStatus) => statuses.push(st));
    await s.start();
    try {
      const err = await collect(s, { source: 'adf' }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ScanError);
      expect((err as ScanError).code).toBe('jam');
      expect((err as ScanError).message).toMatch(/jammed/i);
      expect(s.status()).toMatchObject({ state: 'error', code: 'jam' });
      (s.extraArgs as string[]).splice(0, 1, '--read-return-value=SANE_STATUS_COVER_OPEN');
      const cover = await collect(s, { source: 'adf' }).then(() => null, (e: unknown) => e);
      expect((cover as ScanError).code).toBe('cover-open');
      expect(s.status().code).toBe('cover-open');
      (s.extraArgs as string[]).splice(0, 1);
      expect(await collect(s, { source: 'adf' })).toHaveLength(10);
      expect(s.status()).toMatchObject({ state: 'connected' });
      expect(statuses.map((x) => x.code ?? x.state)).toEqual(['connected', 'jam', 'connected', 'cover-open', 'connected']);
    } finally {
      await s.stop();
    }
  });

  test('a backend that stops answering is stopped after the page timeout (ScanError io)', async () => {
    const fake = join(tmp, 'stuck-scanimage');
    writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do [ "$a" = -A ] && { echo "    --mode Gray|Color [Gray]"; exit 0; }; done\nexec sleep 30\n', { mode: 0o755 });
    const s = new SaneScanner('sane-stuck', 'test', join(tmp, 'work'), [], fake, 500);
    await s.start();
    try {
      const err = await collect(s, { source: 'adf' }).then(() => null, (e: unknown) => e);
      expect((err as ScanError).code).toBe('io');
      expect(s.status()).toMatchObject({ state: 'error', code: 'io' });
    } finally {
      await s.stop();
    }
  });

  test('an unknown device is offline, not a crash', async () => {
    const s = new SaneScanner('sane-none', 'nosuchbackend:0', join(tmp, 'work'));
    await s.start();
    try {
      expect(s.status().state).toBe('disconnected');
      const err = await collect(s, {}).then(() => null, (e: unknown) => e);
      expect((err as ScanError).code).toBe('offline');
    } finally {
      await s.stop();
    }
  });

  test('a session through the agent: feeder of 10 pages into one PDF that passes qpdf --check', async () => {
    const agent = await startAgent(
      testConfig({
        devices: [{ id: 'flatbed', type: 'document-scanner', driver: 'sane', device: 'test', extraArgs: ['--test-picture=Grid'] }],
        digitise: { profiles: { sane: { source: 'adf', mode: 'gray', resolution: 75 } } },
      }),
    );
    try {
      const res = await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: '000.00.21.H30-261122-0002', profile: 'sane' } });
      expect(res.statusCode).toBe(202);
      const { id } = res.json();
      await agent.ctx.digitise.settled(id);
      const s = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
      expect(s).toMatchObject({ state: 'completed', pages: 10, kept: 10, blanks: 0, separators: 0 });
      const d = s.documents[0];
      const pdf = await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${d.id}` });
      const file = join(tmp, 'sane.pdf');
      writeFileSync(file, pdf.rawPayload);
      expect(await qpdfPages(file)).toBe(10);
      expect(outboxEvents(agent, 'hcc.dossier.digitised')[0].data.documents[0]).toMatchObject({ pages: 10, sha256: d.sha256, size: d.size });
    } finally {
      await agent.cleanup();
    }
  });

  test('a jam pauses the session; once the feeder is cleared, continue completes the same session', async () => {
    const agent = await startAgent(
      testConfig({
        devices: [{ id: 'adf', type: 'document-scanner', driver: 'sane', device: 'test', extraArgs: ['--test-picture=Grid', '--read-return-value=SANE_STATUS_JAMMED'] }],
        digitise: { profiles: { sane: { source: 'adf', mode: 'lineart', resolution: 75 } } },
      }),
    );
    try {
      const { id } = (await agent.fastify.inject({ method: 'POST', url: '/api/v1/scans', payload: { dossierCode: '000.00.21.H30-261122-9014', profile: 'sane' } })).json();
      await agent.ctx.digitise.settled(id);
      let s = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
      expect(s).toMatchObject({ state: 'paused', error: { code: 'jam' } });
      expect(outboxEvents(agent, 'hcc.device.status').some((e) => e.data.device === 'adf' && e.data.code === 'jam')).toBe(true);
      // The clerk clears the jam (here: the backend stops injecting it) and continues.
      const dev = agent.ctx.devices.get('adf') as SaneScanner;
      (dev.extraArgs as string[]).splice(1, 1);
      expect((await agent.fastify.inject({ method: 'POST', url: `/api/v1/scans/${id}/continue` })).statusCode).toBe(202);
      await agent.ctx.digitise.settled(id);
      s = (await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}` })).json();
      expect(s).toMatchObject({ state: 'completed', pages: 10, kept: 10 });
      const pdf = await agent.fastify.inject({ method: 'GET', url: `/api/v1/scans/${id}/documents/${s.documents[0].id}` });
      const file = join(tmp, 'sane-jam.pdf');
      writeFileSync(file, pdf.rawPayload);
      expect(await qpdfPages(file)).toBe(10);
    } finally {
      await agent.cleanup();
    }
  });
});
