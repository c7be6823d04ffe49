/** Page analysis on generated pages: blanks, separator sheets, skew; JPEG pass-through. */
import { afterAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { SimulatedDocumentScanner, type SimSheet } from '../../drivers/scanner/simulated.ts';
import type { ScannedPage, ScanRequest } from '../../drivers/contracts.ts';
import { PageAnalyser } from '../../src/digitise/analyse.ts';
import { processPage } from '../../src/digitise/process.ts';
import { DEFAULT_PROFILE, type ScanProfile } from '../../src/digitise/config.ts';
import { parseSeparator, separatorPayload } from '../../drivers/protocols/separator-sheet.ts';

const analyser = new PageAnalyser();
afterAll(() => analyser.close());

async function scanSheets(sheets: SimSheet[], req: Partial<ScanRequest> = {}): Promise<ScannedPage[]> {
  const s = new SimulatedDocumentScanner('sim', 1, [], 150);
  s.load(sheets);
  const out: ScannedPage[] = [];
  for await (const p of s.scan({ source: 'adf', resolution: 150, mode: 'color', ...req })) out.push(p);
  return out;
}

const profile = (p: Partial<ScanProfile> = {}): ScanProfile => ({ ...DEFAULT_PROFILE, ...p });

describe('separator payload', () => {
  test('round-trips Vietnamese component names and rejects other QR texts', () => {
    for (const name of ['Giấy khai sinh', 'Đơn đề nghị (bản chính)', 'a/b:c']) expect(parseSeparator(separatorPayload(name))).toBe(name);
    expect(parseSeparator('000.00.21.H30-261122-0001')).toBeNull();
    expect(parseSeparator('HCC-SEP:1:')).toBeNull();
    expect(parseSeparator('HCC-SEP:1:%E0%A4%A')).toBeNull();
  });
});

describe('processPage on generated pages', () => {
  test('text, photo and stamped pages are kept; blank backs are blank; separators name their component', async () => {
    const pages = await scanSheets(
      [
        { kind: 'separator', component: 'Giấy khai sinh' },
        { kind: 'text', photo: true, back: { kind: 'blank' } },
        { kind: 'text', stamp: true },
        { kind: 'separator', component: 'Hợp đồng' },
        { kind: 'text', title: 'Một dòng' },
      ],
      { source: 'adf-duplex' },
    );
    expect(pages).toHaveLength(10);
    const kinds: string[] = [];
    for (const p of pages) {
      const r = await processPage(p, profile(), analyser);
      kinds.push(r.kind === 'separator' ? `sep:${r.component}` : r.kind);
      expect(r.thumb.subarray(0, 2).toString('hex')).toBe('ffd8');
    }
    expect(kinds).toEqual(['sep:Giấy khai sinh', 'blank', 'page', 'blank', 'page', 'blank', 'sep:Hợp đồng', 'blank', 'page', 'blank']);
  });

  test('blank removal follows the profile thresholds', async () => {
    const [blank, text] = await scanSheets([{ kind: 'blank' }, { kind: 'text' }]);
    const off = await processPage(blank, profile({ blankRemoval: false }), analyser);
    expect(off.kind).toBe('page');
    const strict = await processPage(text, profile({ blankMaxInk: 0.2 }), analyser);
    expect(strict.kind).toBe('blank');
    const normal = await processPage(text, profile(), analyser);
    expect(normal.kind).toBe('page');
    expect(normal.inkRatio).toBeGreaterThan(0.01);
  });

  test('a scanner JPEG is embedded as delivered; PNG (lineart) is encoded at the profile quality', async () => {
    const [color] = await scanSheets([{ kind: 'text' }]);
    const r = await processPage(color, profile(), analyser);
    expect(r.passthrough).toBe(true);
    expect(r.jpeg).toBe(color.image);
    const [line] = await scanSheets([{ kind: 'text' }], { mode: 'lineart' });
    expect(line.format).toBe('png');
    const q = await processPage(line, profile({ mode: 'lineart', jpegQuality: 50 }), analyser);
    expect(q.passthrough).toBe(false);
    const meta = await sharp(q.jpeg!).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.channels).toBe(1);
    expect([meta.width, meta.height]).toEqual([line.width, line.height]);
  });

  test('deskew measures the angle and straightens the page', async () => {
    const [skewed] = await scanSheets([{ kind: 'text', skewDeg: 2.5 }]);
    const r = await processPage(skewed, profile({ deskew: true }), analyser);
    expect(r.skewDeg).toBeGreaterThan(2);
    expect(r.skewDeg).toBeLessThan(3);
    expect(r.passthrough).toBe(false);
    const again = await processPage({ ...skewed, image: r.jpeg!, format: 'jpeg' }, profile({ deskew: true }), analyser);
    expect(Math.abs(again.skewDeg)).toBeLessThanOrEqual(0.3);
    const [straight] = await scanSheets([{ kind: 'text' }]);
    const s = await processPage(straight, profile({ deskew: true }), analyser);
    expect(Math.abs(s.skewDeg)).toBeLessThanOrEqual(0.2);
    expect(s.passthrough).toBe(true);
  });
});
