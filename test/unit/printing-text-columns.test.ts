/**
 * Text-mode tables on narrow paper: the components table of a dossier receipt on 58 mm paper
 * (384 dots, 32 columns of Font A) keeps component numbers and count labels whole, and its rows'
 * columns line up. The bytes are decoded back to lines of text (code page, LF, other commands
 * skipped); the simulator preview of the same bytes is drawn too (one cut page).
 */
import { describe, expect, it } from 'vitest';
import { codecs } from '../../drivers/protocols/escpos/codepages.ts';
import { columnWidths, encodeTextJob } from '../../src/printing/escpos-text.ts';
import { renderJob } from '../../src/printing/render.ts';
import { TEMPLATE_DEFS } from '../../src/printing/templates.ts';
import { receiptData } from './printing-fixtures.ts';

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };
const profile = { printer: 'p', mode: 'text' as const, codec: 'tcvn3' as const, codePages: [30, 31], bandRows: 128, cutFeed: 0 };

/** The printed text lines of a text-mode job (raster bands and symbols are skipped, not decoded). */
function textLines(bytes: Buffer, pages: number[]): string[] {
  const codec = codecs.tcvn3;
  const lines: string[] = [];
  let slot = 0;
  let line = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b === 0x0a) {
      lines.push(line);
      line = '';
      i++;
    } else if (b === 0x1b) {
      const c = bytes[i + 1];
      if (c === 0x40) i += 2; // ESC @
      else if (c === 0x74) {
        slot = pages.indexOf(bytes[i + 2]); // ESC t n
        i += 3;
      } else i += 3; // ESC a / E / J n
    } else if (b === 0x1d) {
      const c = bytes[i + 1];
      if (c === 0x76) i += 8 + (bytes[i + 4] + bytes[i + 5] * 256) * (bytes[i + 6] + bytes[i + 7] * 256); // GS v 0
      else if (c === 0x28) i += 5 + bytes[i + 3] + bytes[i + 4] * 256; // GS ( k
      else if (c === 0x6b) i += 4 + bytes[i + 3]; // GS k 73 n
      else if (c === 0x56) i += 4; // GS V 66 n
      else i += 3; // GS ! / h / w / H n
    } else {
      line += codec.decodeByte(slot, b);
      i++;
    }
  }
  return lines.map((l) => l.normalize('NFC'));
}

const comps = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Giấy tờ số ${i + 1}`, originals: 1, copies: i === n - 1 ? 1000 : 2 }));

describe('text mode tables on 58 mm paper', () => {
  it('a 384-dot TCVN-3 receipt with 11 components prints "10" and "11" whole on their rows, "Bản chính" unbroken', async () => {
    const job = { template: 'dossier-receipt' as const, format: 'thermal' as const, data: receiptData({ components: comps(11) }), createdAt: '2026-11-22T07:05:00Z', printerId: 'p' };
    const out = await renderJob(job, { widthDots: 384, accepts: 'escpos' }, branding, profile);
    expect(out.kind).toBe('text');
    const lines = textLines(out.bytes, profile.codePages);
    expect(lines.every((l) => [...l].length <= 32), lines.filter((l) => [...l].length > 32).join('\n')).toBe(true);
    // Every component row: its number whole at the start, then its name, then its counts.
    for (let n = 1; n <= 11; n++) {
      const row = lines.find((l) => l.includes(`Giấy tờ số ${n}`) && new RegExp(`số ${n}(\\s|$)`).test(l));
      expect(row, `row ${n}`).toBeDefined();
      expect(row!.trimStart().startsWith(`${n} `), `row ${n}: "${row}"`).toBe(true);
    }
    expect(lines.some((l) => /^1\s*$/.test(l) || /^0\s/.test(l))).toBe(false);
    // The numbers column lines up: every row's name starts at the same column.
    const starts = lines.filter((l) => /Giấy tờ số \d+/.test(l)).map((l) => l.indexOf('Giấy'));
    expect(new Set(starts).size).toBe(1);
    // The count labels and counts keep their words whole ("Bản chính", not "chín" + "h").
    const table = lines.slice(lines.findIndex((l) => l.startsWith('TT')));
    const words = table.slice(0, 3).join(' ').split(/\s+/);
    for (const w of ['TT', 'Bản', 'chính', 'sao']) expect(words, w).toContain(w);
    expect(lines.some((l) => /(^|\s)1000(\s|$)/.test(l))).toBe(true);
    // The simulator's preview decodes the same bytes: one cut page, nothing it did not understand.
    expect(out.pages).toHaveLength(1);
  });

  it('the same table on 80 mm paper (48 columns) keeps each column its share of the line', () => {
    const docs = TEMPLATE_DEFS['dossier-receipt'].build(receiptData({ components: comps(11) }), { branding, width: 576, printerId: 'p', createdAt: '2026-11-22T07:05:00Z' });
    const rows = docs[0].blocks.filter((b) => b.kind === 'columns' && b.cols.length === 4) as Parameters<typeof columnWidths>[0];
    expect(columnWidths(rows, 48)).toEqual([3, 28, 7, 7]);
    expect(columnWidths(rows, 32)).toEqual([3, 18, 6, 5]);
    const lines = textLines(encodeTextJob(docs, profile), profile.codePages);
    expect(lines.find((l) => l.startsWith('10 '))).toMatch(/^10 +Giấy tờ số 10 +1 +2 *$/);
  });
});
