import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDossierCode, parseCccdQr, parseDossierCode, parseS10, s10CheckDigit } from '../../src/dossier/codes.ts';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const upper = fc.integer({ min: 65, max: 90 }).map((c) => String.fromCharCode(c));
const letters = (n: number) => fc.array(upper, { minLength: n, maxLength: n }).map((a) => a.join(''));
const agency = fc.tuple(digits(3), digits(2), digits(2), upper, digits(2)).map(([a, b, c, m, x]) => `${a}.${b}.${c}.${m}${x}`);
const date2000s = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

describe('dossier codes', () => {
  it('parses the standard shape', () => {
    expect(parseDossierCode('000.00.21.H30-261122-0001')).toEqual({ code: '000.00.21.H30-261122-0001', agencyCode: '000.00.21.H30', receivedDate: '2026-11-22', sequence: 1 });
    expect(parseDossierCode('  000.00.00.H49-250101-1234\r\n')?.sequence).toBe(1234);
  });

  it('refuses near misses', () => {
    for (const s of ['000.00.21.H30-261322-0001', '000.00.21.H30-260230-0001', '000.00.21-261122-0001', '000.00.21.H30-261122-001', 'EE123456785VN', '', '000.00.21.h30-261122-0001'])
      expect(parseDossierCode(s), s).toBeNull();
  });

  it('accepts configured patterns with named groups', () => {
    const p = '^(?<agency>G\\d{2}\\.\\d{2})-(?<date>\\d{8})-(?<seq>\\d{7})$';
    expect(parseDossierCode('G09.20-20260609-0092637')).toBeNull();
    expect(parseDossierCode('G09.20-20260609-0092637', [p])).toEqual({ code: 'G09.20-20260609-0092637', agencyCode: 'G09.20', receivedDate: '2026-06-09', sequence: 92637 });
    expect(parseDossierCode('HS-XYZ', ['^HS-[A-Z]+$'])).toEqual({ code: 'HS-XYZ' });
    expect(() => parseDossierCode('x', ['('])).toThrow(/invalid dossier code pattern/);
  });

  it('round-trips generated codes', () => {
    fc.assert(
      fc.property(agency, date2000s, fc.integer({ min: 0, max: 9999 }), (a, d, n) => {
        const code = formatDossierCode(a, d, n);
        expect(parseDossierCode(code)).toEqual({ code, agencyCode: a, receivedDate: d, sequence: n });
      }),
    );
  });
});

describe('UPU S10', () => {
  it('computes check digits including the 10→0 and 11→5 cases', () => {
    expect(s10CheckDigit('12345678')).toBe(5);
    // Σ = 0 → 11 − 0 = 11 → 5
    expect(s10CheckDigit('00000000')).toBe(5);
    // Σ = 2×6 = 12, 12 mod 11 = 1 → 11 − 1 = 10 → 0
    expect(s10CheckDigit('02000000')).toBe(0);
    // Σ = 2×7 = 14, 14 mod 11 = 3 → 8
    expect(s10CheckDigit('00000002')).toBe(8);
  });

  it('parses valid and reports wrong check digits', () => {
    expect(parseS10('EE123456785VN')).toEqual({ id: 'EE123456785VN', serviceIndicator: 'EE', serialNumber: '12345678', checkDigit: 5, expectedCheckDigit: 5, country: 'VN', valid: true });
    const bad = parseS10('EE123456784VN');
    expect(bad?.valid).toBe(false);
    expect(bad?.expectedCheckDigit).toBe(5);
    expect(parseS10('E123456785VN')).toBeNull();
    expect(parseS10('ee123456785vn')).toBeNull();
    expect(() => s10CheckDigit('1234567')).toThrow();
  });

  it('round-trips generated identifiers, and every other check digit is flagged', () => {
    fc.assert(
      fc.property(letters(2), digits(8), letters(2), fc.integer({ min: 0, max: 9 }), (svc, serial, cc, other) => {
        const c = s10CheckDigit(serial);
        const id = `${svc}${serial}${c}${cc}`;
        expect(parseS10(id)).toEqual({ id, serviceIndicator: svc, serialNumber: serial, checkDigit: c, expectedCheckDigit: c, country: cc, valid: true });
        if (other !== c) expect(parseS10(`${svc}${serial}${other}${cc}`)?.valid).toBe(false);
      }),
    );
  });
});

describe('CCCD QR', () => {
  const qr = '001099012345|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021';

  it('parses the seven fields', () => {
    expect(parseCccdQr(qr)).toEqual({
      ok: true,
      citizen: { idNumber: '001099012345', oldIdNumber: '123456789', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-02-01', sex: 'Nam', address: 'Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội', issueDate: '2021-08-15' },
    });
    const noOld = parseCccdQr('001099012345||Trần Thị Bình|31121985|Nữ|Huế|01012022');
    expect(noOld?.ok && noOld.citizen.oldIdNumber).toBeUndefined();
    expect(noOld?.ok).toBe(true);
  });

  it('NFC-normalises decomposed Vietnamese', () => {
    const r = parseCccdQr(qr.normalize('NFD'));
    expect(r?.ok && r.citizen.fullName).toBe('Nguyễn Văn An');
  });

  it('explains malformed QRs without quoting the data', () => {
    const few = parseCccdQr('001099012345|123456789|Nguyễn Văn An');
    expect(few).toMatchObject({ ok: false, fieldCount: 3 });
    expect(few && !few.ok && few.reason).toMatch(/3 fields, expected 7/);
    expect(few && !few.ok && few.reason).not.toMatch(/Nguyễn|001099012345/);
    expect(parseCccdQr('001099012345|123456789|An|31021990|Nam|HN|15082021')).toMatchObject({ ok: false, reason: /date of birth/ });
    expect(parseCccdQr('001099012345|12345|An|01021990|Nam|HN|15082021')).toMatchObject({ ok: false, reason: /old ID/ });
  });

  it('is null for text that is not a CCCD QR', () => {
    expect(parseCccdQr('hello|world')).toBeNull();
    expect(parseCccdQr('001099012345')).toBeNull();
  });
});

describe('robustness', () => {
  it('no parser throws on random text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array().map((b) => Buffer.from(b).toString('utf8')), fc.string({ unit: 'binary' })), (s) => {
        parseDossierCode(s);
        parseS10(s);
        parseCccdQr(s);
      }),
      { numRuns: 2000 },
    );
  });
});
