/** The A4 dossier receipt: a valid PDF (qpdf --check) with embedded Noto Sans whose text maps back to Unicode. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/agent.ts';
import { dossierReceiptPdf } from '../../src/printing/pdf.ts';
import { receiptData } from './printing-fixtures.ts';

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };

describe('A4 dossier receipt PDF', () => {
  it('is valid, embeds its font and reads back in Vietnamese, two copies on two pages', async () => {
    const dir = tempDir('hcc-pdf-');
    try {
      const file = join(dir, 'r.pdf');
      writeFileSync(file, await dossierReceiptPdf(receiptData({ copies: 2 }) as any, branding));
      expect(execFileSync('qpdf', ['--check', file]).toString()).toMatch(/No syntax or stream encoding errors/);
      // Text is extractable: the embedded subset fonts' ToUnicode maps cover every letter printed.
      // (Ghostscript's txtwrite misreads these maps, so the CMaps are read directly.)
      const qdf = join(dir, 'q.pdf');
      execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, qdf]);
      const raw = readFileSync(qdf, 'latin1');
      expect(raw).toMatch(/\/FontFile2/);
      const mapped = new Set<string>();
      for (const m of raw.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) for (const h of m[1].matchAll(/<([0-9a-f]{4})>/gi)) mapped.add(String.fromCharCode(parseInt(h[1], 16)));
      for (const s of ['GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', 'Nguyễn Thị Hồng Nhung', 'Độc lập - Tự do - Hạnh phúc', 'Qua dịch vụ bưu chính công ích', 'Liên 2: Giao người nộp']) {
        for (const ch of s.replace(/ /g, '')) expect(mapped.has(ch), `${ch} of "${s}"`).toBe(true);
      }
      const pages = execFileSync('qpdf', ['--show-npages', file]).toString().trim();
      expect(pages).toBe('2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
