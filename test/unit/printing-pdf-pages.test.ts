/**
 * The A4 dossier receipt across pages: a components table longer than a page breaks between rows
 * (header row repeated), the QR/signature block moves whole, each copy starts on its own page, and
 * no page is left holding a stray cell. Read back with poppler (pdfinfo, pdftotext).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/agent.ts';
import { dossierReceiptPdf } from '../../src/printing/pdf.ts';
import { receiptData } from './printing-fixtures.ts';

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };
const A4_HEIGHT = 841.89;
const BOTTOM_MARGIN = 50;

const components = (n: number, long: boolean) =>
  Array.from({ length: n }, (_, i) => ({ name: `Giấy tờ số ${i + 1}: bản sao chứng thực giấy chứng nhận${long ? ' quyền sử dụng đất' : ''}`, originals: 1, copies: 2 }));

/** Renders the receipt and returns each page's text and the lowest text baseline box on it. */
async function pages(n: number, copies: 1 | 2, long: boolean): Promise<{ text: string; bottom: number }[]> {
  const dir = tempDir('hcc-pdf-pages-');
  try {
    const file = join(dir, 'r.pdf');
    writeFileSync(file, await dossierReceiptPdf(receiptData({ components: components(n, long), copies }) as any, branding));
    const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    const out: { text: string; bottom: number }[] = [];
    for (let p = 1; p <= count; p++) {
      const text = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), '-layout', file, '-']).toString();
      const bbox = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), '-bbox', file, '-']).toString();
      const bottom = Math.max(0, ...[...bbox.matchAll(/yMax="([\d.]+)"/g)].map((m) => Number(m[1])));
      out.push({ text, bottom });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks one copy's pages: rows 1..n once each in order, every page useful, signatures once on the last. */
function checkCopy(ps: { text: string; bottom: number }[], n: number, name: string) {
  const rows: number[] = [];
  ps.forEach((p, i) => {
    const onPage = [...p.text.matchAll(/Giấy tờ số (\d+):/g)].map((m) => Number(m[1]));
    rows.push(...onPage);
    const signatures = /NGƯỜI TIẾP NHẬN HỒ SƠ/.test(p.text);
    // No near-empty page: each holds table rows (under a header row) or the signature block.
    expect(onPage.length > 0 || signatures, `${name} page ${i + 1} holds neither table rows nor signatures`).toBe(true);
    if (onPage.length > 0) expect(p.text, `${name} page ${i + 1} repeats the header row`).toMatch(/TT\s+Tên giấy tờ\s+Bản chính\s+Bản sao/);
    // Nothing runs into the bottom margin.
    expect(p.bottom, `${name} page ${i + 1}`).toBeLessThanOrEqual(A4_HEIGHT - BOTTOM_MARGIN + 0.5);
    const last = i === ps.length - 1;
    for (const s of ['NGƯỜI NỘP HỒ SƠ', 'NGƯỜI TIẾP NHẬN HỒ SƠ', 'Nguyễn Thị Hồng Nhung', 'Trần Văn Bình', '000.00.21.H30-261122-0001']) {
      // The applicant's name is also in the header fields of the first page.
      const count = p.text.split(s).length - 1;
      if (s === 'Nguyễn Thị Hồng Nhung' || s === '000.00.21.H30-261122-0001') expect(count >= (last ? 1 : 0), `${name} page ${i + 1}: ${s}`).toBe(true);
      else expect(count, `${name} page ${i + 1}: ${s}`).toBe(last ? 1 : 0);
    }
  });
  expect(rows).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  // The signature block sits with its name lines, below the QR's caption.
  const last = ps[ps.length - 1].text;
  expect(last.lastIndexOf('Trần Văn Bình')).toBeGreaterThan(last.indexOf('NGƯỜI TIẾP NHẬN HỒ SƠ'));
}

describe('A4 dossier receipt PDF: long components tables', () => {
  it('16 components fit one page; 17 take two, the signature block moved whole to the second', async () => {
    const sixteen = await pages(16, 1, false);
    expect(sixteen).toHaveLength(1);
    checkCopy(sixteen, 16, '16');
    const seventeen = await pages(17, 1, false);
    expect(seventeen).toHaveLength(2);
    checkCopy(seventeen, 17, '17');
    expect(seventeen[1].text).toMatch(/NGƯỜI NỘP HỒ SƠ/);
  });

  it('25 components × 2 copies take four pages, two per copy, each copy starting on its own page', async () => {
    const ps = await pages(25, 2, true);
    expect(ps).toHaveLength(4);
    const [first, second] = [ps.slice(0, 2), ps.slice(2)];
    checkCopy(first, 25, 'Liên 1');
    checkCopy(second, 25, 'Liên 2');
    expect(first[0].text).toMatch(/GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/);
    expect(second[0].text).toMatch(/GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/);
    expect(first[1].text).toMatch(/Liên 1: Lưu/);
    expect(second[1].text).toMatch(/Liên 2: Giao người nộp/);
    expect(ps.map((p) => /Liên \d/.exec(p.text)?.[0] ?? '')).toEqual(['', 'Liên 1', '', 'Liên 2']);
  });

  it('60 components (the form maximum) take four pages, the fewest that hold them', async () => {
    const ps = await pages(60, 1, true);
    expect(ps).toHaveLength(4);
    checkCopy(ps, 60, '60');
  });
});
