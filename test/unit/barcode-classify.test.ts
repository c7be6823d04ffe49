import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classify, classifyBytes, symbologyName } from '../../src/barcode/classify.ts';
import { formatDossierCode, s10CheckDigit } from '../../src/dossier/codes.ts';

const QR = '001099012345|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021';
const b = (s: string) => Buffer.from(s, 'utf8');

describe('classify', () => {
  it('dossier codes are forwarded with the code as subject', () => {
    expect(classify('000.00.21.H30-261122-0001')).toEqual({
      kind: 'dossier',
      raw: '000.00.21.H30-261122-0001',
      parsed: { code: '000.00.21.H30-261122-0001', agencyCode: '000.00.21.H30', receivedDate: '2026-11-22', sequence: 1 },
      personal: false,
      forward: true,
      subject: '000.00.21.H30-261122-0001',
    });
  });

  it('configured dossier patterns are honoured', () => {
    const c = classify('G09.20-20260609-0092637', { dossierPatterns: ['^(?<agency>G\\d{2}\\.\\d{2})-(?<date>\\d{8})-(?<seq>\\d{7})$'] });
    expect(c).toMatchObject({ kind: 'dossier', subject: 'G09.20-20260609-0092637', parsed: { receivedDate: '2026-06-09', sequence: 92637 } });
    expect(classify('G09.20-20260609-0092637').kind).toBe('text');
  });

  it('valid postal items are forwarded; a wrong check digit is reported, not accepted', () => {
    expect(classify('EE123456785VN')).toMatchObject({ kind: 'postal-item', forward: true, subject: 'EE123456785VN', parsed: { valid: true, country: 'VN' } });
    const bad = classify('EE123456786VN');
    expect(bad).toMatchObject({ kind: 'postal-item', forward: false, parsed: { valid: false, checkDigit: 6, expectedCheckDigit: 5 } });
    expect(bad.parsed?.reason).toMatch(/check digit 6 is wrong \(expected 5\)/);
    expect(bad.parsed?.reasonVi).toMatch(/số kiểm tra/);
    expect(bad.subject).toBeUndefined();
  });

  it('a CCCD QR becomes structured personal data, never forwarded by the classifier', () => {
    const c = classify(QR);
    expect(c).toMatchObject({ kind: 'citizen-id', personal: true, forward: false, parsed: { idNumber: '001099012345', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-02-01', issueDate: '2021-08-15' } });
    expect(c.subject).toBeUndefined();
  });

  it('a CCCD QR with too few fields is citizen-id-invalid with the reason', () => {
    const c = classify('001099012345|123456789|Nguyễn Văn An|01021990');
    expect(c).toMatchObject({ kind: 'citizen-id-invalid', personal: true, forward: false, parsed: { fieldCount: 4 } });
    expect(c.parsed?.reason).toMatch(/4 fields, expected 7/);
  });

  it('other text is kept raw', () => {
    expect(classify('https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html')).toEqual({ kind: 'text', raw: 'https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html', parsed: null, personal: false, forward: false });
  });
});

describe('classifyBytes: bad input gets a clear kind', () => {
  it('binary garbage', () => {
    const c = classifyBytes(Buffer.from([0x00, 0xff, 0x10, 0x41]));
    expect(c).toMatchObject({ kind: 'binary', raw: Buffer.from([0x00, 0xff, 0x10, 0x41]).toString('base64'), parsed: { encoding: 'base64', length: 4 } });
  });

  it('GS1 separators are text, not binary', () => {
    expect(classifyBytes(b('0104912345678904\x1d10ABC')).kind).toBe('text');
  });

  it('invalid UTF-8 (e.g. a legacy code page)', () => {
    const c = classifyBytes(Buffer.from([0x48, 0xe0, 0x20, 0x4e, 0xf4, 0x69]));
    expect(c.kind).toBe('invalid-utf8');
    expect(c.parsed).toMatchObject({ length: 6, base64: 'SOAgTvRp' });
    expect(c.raw).toContain('\ufffd');
  });

  it('over-long reads, by length or cut by the driver', () => {
    const c = classifyBytes(Buffer.alloc(5000, 0x41), { maxLength: 4096 });
    expect(c).toMatchObject({ kind: 'too-long', parsed: { length: 5000, maxLength: 4096 } });
    expect(c.raw.length).toBe(4096);
    expect(classifyBytes(b('AAAA'), {}, true).kind).toBe('too-long');
  });

  it('valid UTF-8 Vietnamese goes on to content classification', () => {
    expect(classifyBytes(b(QR)).kind).toBe('citizen-id');
    expect(classifyBytes(b('EE123456785VN')).kind).toBe('postal-item');
  });
});

describe('properties', () => {
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const upper = fc.integer({ min: 65, max: 90 }).map((c) => String.fromCharCode(c));

  it('random bytes never throw and always yield a known kind', () => {
    const kinds = new Set(['dossier', 'postal-item', 'citizen-id', 'citizen-id-invalid', 'text', 'binary', 'invalid-utf8', 'too-long']);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 16, max: 400 }), (bytes, maxLength) => {
        const c = classifyBytes(Buffer.from(bytes), { maxLength });
        expect(kinds.has(c.kind)).toBe(true);
        expect(typeof c.raw).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('generated dossier codes and S10 numbers classify back to themselves', () => {
    fc.assert(
      fc.property(
        fc.tuple(digits(3), digits(2), digits(2), upper, digits(2)),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 9999 }),
        fc.tuple(upper, upper, digits(8), upper, upper),
        ([a, bb, c, m, x], date, seq, [s1, s2, serial, c1, c2]) => {
          const code = formatDossierCode(`${a}.${bb}.${c}.${m}${x}`, date.toISOString().slice(0, 10), seq);
          expect(classifyBytes(b(code))).toMatchObject({ kind: 'dossier', subject: code });
          const id = `${s1}${s2}${serial}${s10CheckDigit(serial)}${c1}${c2}`;
          expect(classifyBytes(b(id))).toMatchObject({ kind: 'postal-item', subject: id, parsed: { valid: true } });
        },
      ),
    );
  });
});

it('names AIM symbologies', () => {
  expect(symbologyName(']Q1')).toBe('QR Code');
  expect(symbologyName(']C1')).toBe('Code 128');
  expect(symbologyName(']E0')).toBe('EAN/UPC');
  expect(symbologyName(undefined)).toBeNull();
});
