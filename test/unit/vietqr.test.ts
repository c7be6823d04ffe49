/**
 * VietQR payloads checked against a published code, an independent decoder (vietnam-qr-pay) and a
 * real QR round trip (bwip-js draws, zbarimg reads), plus each refusal.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import bwipjs from 'bwip-js';
import { QRPay } from 'vietnam-qr-pay';
import { crc16ccittFalse, purposeText, vietQrPayload, type VietQrInput } from '../../src/payments/vietqr.ts';
import { DomainError } from '../../src/errors.ts';

/**
 * VietQR.io's published example (api.vietqr.io/v1/generate response in github.com/vietqr-io/vietqr-api,
 * the same account and reference as the NAPAS sample quoted in giautm/emvqr-go's README): not our
 * output, so it pins field order, lengths and CRC.
 */
const PUBLISHED = {
  input: { bankBin: '970415', accountNumber: '113366668888', amount: 79000, purpose: 'Ung Ho Quy Vac Xin' },
  payload: '00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA53037045405790005802VN62220818Ung Ho Quy Vac Xin63043ACF',
};

const FEE: VietQrInput = { bankBin: '970436', accountNumber: '0071000123456', amount: 150000, purpose: '000.00.21.H30-261122-0001', accountName: 'TRUNG TAM PHUC VU HANH CHINH CONG' };

function decode(payload: string) {
  const qr = new QRPay(payload);
  return {
    isValid: qr.isValid,
    provider: qr.provider.name,
    guid: qr.provider.guid,
    service: qr.provider.service,
    initMethod: qr.initMethod,
    bankBin: qr.consumer.bankBin,
    accountNumber: qr.consumer.bankNumber,
    amount: qr.amount,
    currency: qr.currency,
    country: qr.nation,
    purpose: qr.additionalData.purpose,
    merchantName: qr.merchant.name,
    city: qr.city,
  };
}

function refusal(input: Partial<VietQrInput>): DomainError {
  try {
    vietQrPayload({ ...FEE, ...input });
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('VietQR payload', () => {
  it('CRC-16/CCITT-FALSE gives the catalogue check value', () => {
    expect(crc16ccittFalse('123456789')).toBe(0x29b1);
    expect(crc16ccittFalse('')).toBe(0xffff);
  });

  it('reproduces the published VietQR example exactly', () => {
    expect(vietQrPayload(PUBLISHED.input)).toBe(PUBLISHED.payload);
  });

  it('is read back by an independent decoder: BIN, account, amount, purpose, VND, VN, dynamic transfer to an account', () => {
    const payload = vietQrPayload(FEE);
    expect(decode(payload)).toEqual({
      isValid: true,
      provider: 'VIETQR',
      guid: 'A000000727',
      service: 'QRIBFTTA',
      initMethod: '12',
      bankBin: '970436',
      accountNumber: '0071000123456',
      amount: '150000',
      currency: '704',
      country: 'VN',
      purpose: '000.00.21.H30-261122-0001',
      merchantName: undefined, // no 59/60: apps show the name from NAPAS's account lookup
      city: undefined,
    });
    expect(payload).not.toContain(FEE.accountName);
  });

  it('the decoder rejects a payload whose CRC is off by one digit (so isValid above means something)', () => {
    const payload = vietQrPayload(FEE);
    const last = payload.at(-1) === '0' ? '1' : '0';
    expect(new QRPay(payload.slice(0, -1) + last).isValid).toBe(false);
  });

  it('round-trips any valid input through the independent decoder', () => {
    const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{6}$/),
        fc.array(alnum, { minLength: 1, maxLength: 19 }).map((a) => a.join('')),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).filter((n) => String(n).length <= 13),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), // purposeText's output must always be accepted
        (bankBin, accountNumber, amount, text) => {
          const purpose = purposeText(text) || 'x';
          const d = decode(vietQrPayload({ bankBin, accountNumber, amount, purpose }));
          expect(d).toMatchObject({ isValid: true, bankBin, accountNumber, amount: String(amount), purpose, currency: '704', country: 'VN', initMethod: '12' });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('purposeText', () => {
  it('folds every Vietnamese letter to ASCII', () => {
    expect(purposeText('àáảãạăằắẳẵặâầấẩẫậ')).toBe('aaaaaaaaaaaaaaaaa');
    expect(purposeText('èéẻẽẹêềếểễệ')).toBe('eeeeeeeeeee');
    expect(purposeText('ìíỉĩị òóỏõọôồốổỗộơờớởỡợ')).toBe('iiiii ooooooooooooooooo');
    expect(purposeText('ùúủũụưừứửữự ỳýỷỹỵ đĐ')).toBe('uuuuuuuuuuu yyyyy dD');
    expect(purposeText('ĐĂNG KÝ HỘ KINH DOANH')).toBe('DANG KY HO KINH DOANH');
  });

  it('folds text typed with combining marks the same as precomposed text', () => {
    expect(purposeText('Lệ phí'.normalize('NFD'))).toBe(purposeText('Lệ phí'.normalize('NFC')));
  });

  it('turns other characters into single spaces and keeps within 25 characters', () => {
    expect(purposeText('  Phí #12, (lần 2)\n ')).toBe('Phi 12 lan 2');
    const long = purposeText('Lệ phí cấp Giấy chứng nhận đăng ký hộ kinh doanh');
    expect(long).toBe('Le phi cap Giay chung nha');
    expect(long.length).toBe(25);
  });

  it('a dossier code alone fits exactly; "HS " before it does not, and folding cuts the serial', () => {
    expect(vietQrPayload({ ...FEE, purpose: '000.00.21.H30-261122-0001' })).toContain('0825000.00.21.H30-261122-0001');
    expect(refusal({ purpose: 'HS 000.00.21.H30-261122-0001' }).code).toBe('vietqr-purpose');
    expect(purposeText('HS 000.00.21.H30-261122-0001')).toBe('HS 000.00.21.H30-261122-0');
  });
});

describe('VietQR refusals', () => {
  it.each([['97041'], ['9704150'], ['97041a'], [''], [' 970415']])('bank BIN %j', (bankBin) => {
    const err = refusal({ bankBin });
    expect(err).toMatchObject({ kind: 'invalid', code: 'vietqr-bank-bin' });
    expect(err.message).toContain('6 digits');
    expect(err.messageVi).toContain('6 chữ số');
  });

  it.each([
    ['', 'empty'],
    ['1'.repeat(20), 'longer than 19'],
    ['0071-000123', 'letters and digits'],
    ['0071 000123', 'letters and digits'],
    ['Số1', 'letters and digits'],
  ])('account number %j', (accountNumber, why) => {
    const err = refusal({ accountNumber });
    expect(err).toMatchObject({ kind: 'invalid', code: 'vietqr-account-number' });
    expect(err.message).toContain(why);
    expect(err.messageVi).not.toBe('');
  });

  it.each([[0], [-5000], [1500.5], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.MAX_SAFE_INTEGER + 1]])('amount %s', (amount) => {
    expect(refusal({ amount })).toMatchObject({ kind: 'invalid', code: 'vietqr-amount' });
  });

  it('amount: 13 digits go in, 14 do not', () => {
    expect(decode(vietQrPayload({ ...FEE, amount: 9_999_999_999_999 })).amount).toBe('9999999999999');
    const err = refusal({ amount: 10_000_000_000_000 });
    expect(err).toMatchObject({ code: 'vietqr-amount' });
    expect(err.message).toContain('13 digits');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['x'.repeat(26), 'longer than 25'],
    ['Nộp lệ phí', 'unaccented'],
    ['Phi #12', 'unaccented'],
    ['Phi\n12', 'unaccented'],
  ])('purpose %j', (purpose, why) => {
    const err = refusal({ purpose });
    expect(err).toMatchObject({ kind: 'invalid', code: 'vietqr-purpose' });
    expect(err.message).toContain(why);
  });

  it('purpose: 25 characters go in', () => {
    expect(decode(vietQrPayload({ ...FEE, purpose: 'x'.repeat(25) })).purpose).toBe('x'.repeat(25));
  });
});

describe('VietQR as a printed code', () => {
  // bwip-js draws the symbol as the receipt will; zbarimg (Debian zbar-tools) reads it as a phone would.
  // bwip-js's PNG is transparent with no margin, which zbar cannot read: white and the 4-module
  // quiet zone of ISO/IEC 18004 (padding is in modules at this scale), as on paper.
  async function scan(text: string): Promise<string> {
    // eclevel is a BWIPP option bwip-js's types leave out.
    const options = { bcid: 'qrcode', text, scale: 4, eclevel: 'M', backgroundcolor: 'FFFFFF', paddingwidth: 4, paddingheight: 4 } as bwipjs.RenderOptions;
    const png = await bwipjs.toBuffer(options);
    const dir = mkdtempSync(join(tmpdir(), 'vietqr-'));
    try {
      const file = join(dir, 'code.png');
      writeFileSync(file, png);
      return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the published example scans back to the same text', async () => {
    expect(await scan(PUBLISHED.payload)).toBe(PUBLISHED.payload);
  });

  it('a fee with a long Vietnamese purpose folded to ASCII scans back to the same text, still valid', async () => {
    const purpose = purposeText('Lệ phí cấp Giấy chứng nhận đăng ký hộ kinh doanh – hồ sơ 000.00.21.H30');
    const payload = vietQrPayload({ ...FEE, amount: 1_250_000, purpose });
    const read = await scan(payload);
    expect(read).toBe(payload);
    expect(decode(read)).toMatchObject({ isValid: true, amount: '1250000', purpose: 'Le phi cap Giay chung nha' });
  });
});
