/** Raster encoding, the paper decoder (split chunks) and DLE EOT status bits. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import jsQRModule from 'jsqr';
import { encodeRasterJob, GS_V_0 } from '../../drivers/protocols/escpos/encode.ts';
import { emptyRaster, setDot, sameRaster, crop, type Raster } from '../../drivers/protocols/escpos/raster.ts';
import { decodeStatus, describeCondition, encodeStatus, isStatusByte } from '../../drivers/protocols/escpos/status.ts';
import { EscPosPaper } from '../../drivers/protocols/escpos/paper.ts';
import { FINE } from '../../drivers/printer/simulated.ts';
import { renderDoc, text } from '../../src/printing/layout.ts';

// jsqr is CommonJS with an `exports.default`; under NodeNext typing the callable sits on .default.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null;

function sample(): Raster {
  const r = emptyRaster(576, 300);
  for (let x = 10; x < 200; x++) for (let y = 5; y < 20; y++) setDot(r, x, y);
  for (let y = 150; y < 290; y++) setDot(r, 575, y); // right edge, long band
  return r;
}

/** Walks the job's commands: GS v 0 bands and ESC J feeds. */
function commands(bytes: Buffer) {
  const out: { kind: string; rows: number; xBytes?: number; data?: Buffer }[] = [];
  let i = 2; // after ESC @
  while (i < bytes.length) {
    if (bytes[i] === 0x1d && bytes[i + 1] === 0x76) {
      const xb = bytes[i + 4] | (bytes[i + 5] << 8);
      const rows = bytes[i + 6] | (bytes[i + 7] << 8);
      out.push({ kind: 'band', rows, xBytes: xb, data: bytes.subarray(i + 8, i + 8 + xb * rows) });
      i += 8 + xb * rows;
    } else if (bytes[i] === 0x1b && bytes[i + 1] === 0x4a) {
      out.push({ kind: 'feed', rows: bytes[i + 2] });
      i += 3;
    } else if (bytes[i] === 0x1d && bytes[i + 1] === 0x56) {
      out.push({ kind: 'cut', rows: bytes[i + 3] });
      i += 4;
    } else throw new Error(`unexpected byte 0x${bytes[i].toString(16)} at ${i}`);
  }
  return out;
}

describe('raster encoding', () => {
  it('sends blank rows as paper feed, never as zero bytes, in bands of at most bandRows, then cuts', () => {
    const bytes = encodeRasterJob([sample()], { bandRows: 64 });
    expect([...bytes.subarray(0, 2)]).toEqual([0x1b, 0x40]);
    const cmds = commands(bytes);
    for (const c of cmds.filter((c) => c.kind === 'band')) {
      expect(c.rows).toBeLessThanOrEqual(64);
      for (let y = 0; y < c.rows; y++) expect(c.data!.subarray(y * c.xBytes!, (y + 1) * c.xBytes!).some((b) => b !== 0)).toBe(true);
    }
    expect(cmds.filter((c) => c.kind !== 'cut').reduce((n, c) => n + c.rows, 0)).toBe(300);
    expect(cmds[cmds.length - 1]).toEqual({ kind: 'cut', rows: 0 });
    // Left-aligned content is trimmed on the right: the first band is 25 bytes wide, not 72.
    expect(cmds.find((c) => c.kind === 'band')!.xBytes).toBe(25);
  });

  it('decodes back to the same raster whatever the chunking', () => {
    const r = renderDoc({ width: 384, blocks: [text('Giấy tiếp nhận hồ sơ', { bold: true }), { kind: 'space', dots: 300 }, { kind: 'qr', data: 'X-123' }] }).raster;
    const bytes = encodeRasterJob([r], { bandRows: 32 });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const paper = new EscPosPaper({ width: 384 });
        let off = 0;
        for (let k = 0; off < bytes.length; k++) {
          const n = sizes[k % sizes.length];
          paper.write(bytes.subarray(off, off + n));
          off += n;
        }
        expect(paper.pages).toHaveLength(1);
        expect(sameRaster(crop(paper.pages[0], 0, r.height), r)).toBe(true);
      }),
      { numRuns: 30 },
    );
    expect(bytes.includes(Buffer.from(GS_V_0))).toBe(true);
    // The 300 blank rows cost a few ESC J commands, not 300 × 48 zero bytes.
    expect(bytes.length).toBeLessThan(r.height * r.stride * 0.6);
  });
});

describe('paper decoder', () => {
  it('skips common setup commands of other POS software without printing them', () => {
    const paper = new EscPosPaper({ width: 384 });
    // FS . (cancel Kanji), GS L 0 0, GS W 128 1, ESC $ 0 0, ESC SP 0, then text, LF, feed-and-cut.
    paper.write(Buffer.from([0x1c, 0x2e, 0x1d, 0x4c, 0, 0, 0x1d, 0x57, 128, 1, 0x1b, 0x24, 0, 0, 0x1b, 0x20, 0, 0x41, 0x0a, 0x1d, 0x56, 66, 0]));
    expect(paper.unknown).toEqual([]);
    expect(paper.pages).toHaveLength(1);
    expect(paper.pages[0].height).toBe(30);
    // Only the "A" (one 12-dot cell) carries ink.
    let maxX = 0;
    for (let y = 0; y < 30; y++) for (let x = 0; x < 384; x++) if (paper.pages[0].data[y * 48 + (x >> 3)] & (0x80 >> (x & 7))) maxX = Math.max(maxX, x);
    expect(maxX).toBeLessThan(12);
  });
});

describe('DLE EOT status', () => {
  const conds = ['paperOut', 'coverOpen', 'paperNearEnd', 'cutterError', 'unrecoverableError', 'autoRecoverableError'] as const;

  it('encodes each condition into the Epson bits and decodes it back', () => {
    expect(encodeStatus(FINE)).toEqual([0x12, 0x12, 0x12, 0x12]);
    expect(encodeStatus({ ...FINE, paperOut: true })).toEqual([0x1a, 0x32, 0x12, 0x7e]);
    expect(encodeStatus({ ...FINE, coverOpen: true })).toEqual([0x1a, 0x16, 0x12, 0x12]);
    expect(encodeStatus({ ...FINE, cutterError: true })).toEqual([0x1a, 0x52, 0x1a, 0x12]);
    for (const k of conds) {
      const c = { ...FINE, [k]: true, online: k === 'paperNearEnd' };
      const bytes = encodeStatus(c);
      for (const b of bytes) expect(isStatusByte(b)).toBe(true);
      expect(decodeStatus(bytes)[k]).toBe(true);
    }
    expect(decodeStatus([0x1a, 0x12, 0x12, 0x12]).online).toBe(false);
  });

  it('names every problem in Vietnamese and English with its own code', () => {
    const codes = new Set<string>();
    for (const k of conds) {
      const t = describeCondition({ ...FINE, [k]: true });
      expect(t?.vi && t.en).toBeTruthy();
      codes.add(t!.code);
    }
    codes.add(describeCondition({ ...FINE, online: false })!.code);
    expect([...codes].sort()).toEqual(['cover-open', 'cutter-error', 'offline', 'paper-near-end', 'paper-out', 'recoverable-error', 'unrecoverable-error']);
    expect(describeCondition({ ...FINE, paperNearEnd: true })!.blocking).toBe(false);
    expect(describeCondition(FINE)).toBeNull();
  });
});

describe('QR codes read back', () => {
  const toRgba = (r: Raster) => {
    const px = new Uint8ClampedArray(r.width * r.height * 4).fill(255);
    for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) if (r.data[y * r.stride + (x >> 3)] & (0x80 >> (x & 7))) px.fill(0, (y * r.width + x) * 4, (y * r.width + x) * 4 + 3);
    return px;
  };
  const branding = { agencyName: 'TRUNG TÂM', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn', timezone: 'Asia/Ho_Chi_Minh' };

  it('the raster ticket QR and the text-mode (GS ( k) receipt QR decode to their data', async () => {
    const { renderJob } = await import('../../src/printing/render.ts');
    const { ticketData, receiptData } = await import('./printing-fixtures.ts');
    const ticket = await renderJob({ template: 'queue-ticket', format: 'thermal', data: ticketData({ qr: 'https://hcc.example/q/A012' }), createdAt: '2026-11-22T07:05:00Z', printerId: 'p' }, { widthDots: 576, accepts: 'escpos' }, branding);
    const t = ticket.pages[0];
    expect(jsQR(toRgba(t), t.width, t.height)?.data).toBe('https://hcc.example/q/A012');
    const text = await renderJob({ template: 'dossier-receipt', format: 'thermal', data: receiptData(), createdAt: '2026-11-22T07:05:00Z', printerId: 'p' }, { widthDots: 576, accepts: 'escpos' }, branding, { printer: 'p', mode: 'text', codec: 'tcvn3', codePages: [30, 31], bandRows: 128, cutFeed: 0 });
    expect(text.kind).toBe('text');
    const p = text.pages[0];
    expect(jsQR(toRgba(p), p.width, p.height)?.data).toBe('000.00.21.H30-261122-0001');
  });

  it('a text-mode result slip: the printer-drawn CODE128 (GS k) and QR read back with zbarimg', async () => {
    const { execFileSync } = await import('node:child_process');
    const { writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../helpers/agent.ts');
    const { renderJob } = await import('../../src/printing/render.ts');
    const { rasterToPng } = await import('../../drivers/protocols/escpos/raster.ts');
    const data = { dossierCode: '000.00.21.H30-261122-0001', applicantName: 'Nguyễn Thị Hồng Nhung', returnedAt: '2026-12-30T08:00:00Z', returnMethod: 'post', postalItem: 'EE123456785VN', clerk: 'Trần Văn Bình' };
    const out = await renderJob({ template: 'result-slip', format: 'thermal', data, createdAt: '2026-12-30T08:00:00Z', printerId: 'p' }, { widthDots: 576, accepts: 'escpos' }, branding, { printer: 'p', mode: 'text', codec: 'cp1258', codePages: [52], bandRows: 128, cutFeed: 0 });
    expect(out.bytes.includes(Buffer.from([0x1d, 0x6b, 73]))).toBe(true);
    const dir = tempDir('hcc-zbar-');
    try {
      writeFileSync(join(dir, 'slip.png'), rasterToPng(out.pages[0]));
      const found = execFileSync('zbarimg', ['-q', join(dir, 'slip.png')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      expect(found).toContain('CODE-128:EE123456785VN');
      expect(found).toContain('QR-Code:000.00.21.H30-261122-0001');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
