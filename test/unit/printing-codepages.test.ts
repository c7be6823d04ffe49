/** Text-mode encoders: every Vietnamese letter survives the round trip; what a code page lacks is printed as raster. */
import { describe, expect, it } from 'vitest';
import { codecs, decodeRuns, CODECS } from '../../drivers/protocols/escpos/codepages.ts';
import { allLetters } from '../../drivers/support/vietnamese.ts';
import { encodeTextJob } from '../../src/printing/escpos-text.ts';
import { EscPosPaper } from '../../drivers/protocols/escpos/paper.ts';
import { text } from '../../src/printing/layout.ts';
import { GS_V_0 } from '../../drivers/protocols/escpos/encode.ts';

const SENTENCE = 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ — Độc lập - Tự do - Hạnh phúc';

describe('Vietnamese code pages', () => {
  for (const name of CODECS) {
    it(`${name}: letters round-trip through the bytes`, () => {
      const c = codecs[name];
      const lost: string[] = [];
      for (const l of allLetters()) {
        const e = c.encode(l);
        // No byte may be a C0 control: the printer would execute it.
        for (const r of e.runs) for (const b of r.bytes) expect(b).toBeGreaterThanOrEqual(0x20);
        if (e.missing.length) lost.push(l);
        else expect(decodeRuns(c, e.runs), l).toBe(l);
      }
      // VISCII puts six capitals on C0 bytes; they are the only letters it cannot print as text.
      expect(lost).toEqual(name === 'viscii' ? ['Ẳ', 'Ẵ', 'Ẫ', 'Ỷ', 'Ỹ', 'Ỵ'] : []);
      const e = c.encode(SENTENCE);
      expect(decodeRuns(c, e.runs)).toBe(SENTENCE.replace('—', '-'));
    });
  }

  it('tcvn3 switches to the capital table only for toned capitals', () => {
    const e = codecs.tcvn3.encode('Hồ SƠ Ấn');
    expect(e.runs.map((r) => r.slot)).toEqual([0, 1, 0]);
    expect(decodeRuns(codecs.tcvn3, e.runs)).toBe('Hồ SƠ Ấn');
  });

  it('cp1258 composes a base letter and a tone mark where the table has no precomposed letter', () => {
    const e = codecs.cp1258.encode('ệ');
    expect([...e.runs[0].bytes]).toEqual([0xea, 0xf2]); // ê + combining dot below
    expect([...codecs.cp1258.encode('á').runs[0].bytes]).toEqual([0xe1]);
  });

  for (const [codec, pages] of [['tcvn3', [30, 31]], ['cp1258', [52]], ['viscii', [94]]] as const) {
    it(`${codec} text job: the decoded paper carries the text; missing letters go as raster`, () => {
      const bytes = encodeTextJob([{ width: 576, blocks: [text('Giấy tiếp nhận hồ sơ'), text('ẲNG Ỹ', { bold: true })] }], { codec, codePages: [...pages] });
      expect(bytes.includes(Buffer.from([0x1b, 0x74, pages[0]]))).toBe(true);
      const hasRaster = bytes.includes(Buffer.from(GS_V_0));
      expect(hasRaster).toBe(codec === 'viscii');
      const paper = new EscPosPaper({ width: 576, codePages: Object.fromEntries(pages.map((n, slot) => [n, { codec, slot }])) });
      paper.write(bytes);
      expect(paper.pages).toHaveLength(1);
      expect(paper.pages[0].height).toBeGreaterThan(48);
      expect(paper.unknown).toEqual([]);
    });
  }

  it('a TCVN-3 profile without a capital table sends lines with toned capitals as raster', () => {
    const one = encodeTextJob([{ width: 576, blocks: [text('hồ sơ'), text('HỒ SƠ')] }], { codec: 'tcvn3', codePages: [30] });
    expect(one.includes(Buffer.from([0x1b, 0x74, 30]))).toBe(true);
    expect(one.includes(Buffer.from(GS_V_0))).toBe(true);
    const two = encodeTextJob([{ width: 576, blocks: [text('hồ sơ'), text('HỒ SƠ')] }], { codec: 'tcvn3', codePages: [30, 31] });
    expect(two.includes(Buffer.from(GS_V_0))).toBe(false);
    expect(two.includes(Buffer.from([0x1b, 0x74, 31]))).toBe(true);
  });
});
