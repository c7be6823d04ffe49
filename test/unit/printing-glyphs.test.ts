/**
 * Every Vietnamese letter on the test page is the renderer's own glyph, pixel for pixel, and the
 * glyphs are real (non-empty, all different: no tofu boxes, no dropped tone marks).
 */
import { describe, expect, it } from 'vitest';
import { TEMPLATE_DEFS, TEST_GLYPH } from '../../src/printing/templates.ts';
import { renderDoc, renderGlyph } from '../../src/printing/layout.ts';
import { crop, sameRaster, getDot, type Raster } from '../../drivers/protocols/escpos/raster.ts';
import { allLetters, markedLetters } from '../../drivers/support/vietnamese.ts';

const branding = { agencyName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', receivingUnit: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ', footer: 'Cảm ơn quý khách!', timezone: 'Asia/Ho_Chi_Minh' };
const dots = (r: Raster) => {
  let n = 0;
  for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) if (getDot(r, x, y)) n++;
  return n;
};

describe('Vietnamese alphabet on the test page', () => {
  it('has 134 letters with diacritics (all toned vowels, ă â ê ô ơ ư, đ) in both cases', () => {
    const marked = markedLetters();
    expect(marked).toHaveLength(134);
    expect(marked).toEqual(expect.arrayContaining(['ặ', 'Ặ', 'ỗ', 'Ỗ', 'ự', 'Ự', 'ỹ', 'Ỹ', 'đ', 'Đ', 'ă', 'Ơ']));
    expect(new Set(marked).size).toBe(134);
  });

  for (const width of [576, 384]) {
    it(`every letter in the ${width}-dot test page raster equals the renderer's glyph`, () => {
      const [doc] = TEMPLATE_DEFS['test-page'].build({}, { branding, width, printerId: 'p', createdAt: '2026-11-22T07:05:00Z' });
      const { raster, glyphs } = renderDoc(doc);
      expect(raster.width).toBe(width);
      expect(glyphs.map((g) => g.ch)).toEqual(allLetters());
      const seen = new Map<string, string>();
      for (const g of glyphs) {
        const want = renderGlyph(g.ch, TEST_GLYPH.size, TEST_GLYPH.cell);
        const got = crop(raster, g.y, g.cell, g.x, g.cell);
        expect(sameRaster(got, want), `letter ${g.ch}`).toBe(true);
        expect(dots(want), `letter ${g.ch} has ink`).toBeGreaterThan(10);
        const key = Buffer.from(want.data).toString('base64');
        expect(seen.get(key), `${g.ch} drawn like ${seen.get(key)}`).toBeUndefined();
        seen.set(key, g.ch);
      }
    });
  }

  it('a toned letter carries more ink than its base (the mark is drawn, not dropped)', () => {
    for (const [base, toned] of [['a', 'ạ'], ['A', 'Ấ'], ['o', 'ở'], ['U', 'Ữ'], ['d', 'đ'], ['y', 'ỹ']]) {
      expect(dots(renderGlyph(toned, 24, 36)), toned).toBeGreaterThan(dots(renderGlyph(base, 24, 36)));
    }
  });
});
