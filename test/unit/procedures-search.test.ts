/** Catalogue search as a clerk types, the shipped example catalogue, and its JSON Schema file. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ProcedureIndex, fold } from '../../src/procedures/search.ts';
import { parseCatalogue } from '../../src/procedures/catalogue.ts';
import { SCHEMA_PATH, schemaText } from '../../scripts/procedures-schema.ts';
import { projectPath } from '../../src/paths.ts';

const example = parseCatalogue(parse(readFileSync(projectPath('config', 'procedures', 'example.yaml'), 'utf8')));
const index = new ProcedureIndex(example);
const codes = (q: string) => index.search(q, 20).items.map((p) => p.code);

describe('procedure search', () => {
  it('folds Vietnamese to plain ASCII, đ included', () => {
    expect(fold('Đăng ký biến động ĐẤT ĐAI, Hộ tịch')).toBe('dang ky bien dong dat dai, ho tich');
    // combining marks (NFD input) fold the same as precomposed letters
    expect(fold('Đăng ký'.normalize('NFD'))).toBe('dang ky');
  });

  it('finds by words with or without diacritics, and by code prefix', () => {
    expect(codes('dang ky bien dong')).toEqual(['1.004227']);
    expect(codes('Đăng ký biến động')).toEqual(['1.004227']);
    expect(codes('ket hon')).toEqual(['1.000894']);
    expect(codes('KHAI SINH')).toEqual(['1.001193']);
    expect(codes('1.0011')).toEqual(['1.001193']);
    expect(codes('ho tich')).toHaveLength(4); // by field
    expect(codes('birth')).toEqual(['1.001193']); // English name
  });

  it('matches whole-word starts only: "on" finds nothing, "hon" finds kết hôn', () => {
    expect(codes('on')).toEqual([]);
    expect(codes('hon')).toContain('1.000894');
  });

  it('ranks code matches first and shorter names before their special cases; limit and total', () => {
    const r = index.search('dang ky', 2);
    expect(r.items).toHaveLength(2);
    expect(r.total).toBeGreaterThan(2);
    const names = index.search('dang ky', 20).items.map((p) => p.name.length);
    expect([...names].sort((a, b) => a - b)).toEqual(names);
  });

  it('gets by code, also with the local suffix of a provincial listing', () => {
    expect(index.get('1.001612')?.name).toBe('Đăng ký thành lập hộ kinh doanh');
    expect(index.get('1.001612.000.00.00.H12')?.code).toBe('1.001612');
    expect(index.get('9.999999')).toBeUndefined();
  });

  it('an empty query lists the catalogue', () => {
    expect(index.search('', 100).total).toBe(example.length);
    expect(index.search(undefined, 3).items).toHaveLength(3);
  });
});

describe('catalogue files', () => {
  it('the shipped example names its sources and fills defaults', () => {
    expect(example.length).toBeGreaterThanOrEqual(7);
    for (const p of example) {
      expect(p.source, p.code).toBeTruthy();
      expect(p.returnMethods?.length).toBeGreaterThan(0);
      for (const c of p.components) expect(typeof c.required).toBe('boolean');
    }
    // civil status, land and business registration, as the contract names
    expect(example.map((p) => p.field)).toEqual(expect.arrayContaining(['Hộ tịch', 'Đất đai', 'Thành lập và hoạt động của hộ kinh doanh']));
  });

  it('a bad entry is refused with its path', () => {
    expect(() => parseCatalogue({ procedures: [{ ...example[0], processingDays: 'five' }] })).toThrow(/procedures\[0\]\.processingDays/);
    expect(() => parseCatalogue({ procedures: [{ ...example[0], code: 'abc' }] })).toThrow(/procedures\[0\]\.code/);
    expect(() => parseCatalogue({ procedures: [{ ...example[0], extra: 1 }] })).toThrow(/additional/);
    expect(() => parseCatalogue([])).toThrow();
  });

  it('config/procedures/procedures.schema.json is the catalogue schema (regenerate: node --import tsx scripts/procedures-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
  });
});
