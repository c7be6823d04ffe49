/** The `payments` section on its own (the lead wires it into the schema): defaults, docs, patterns. */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { PaymentsSection, type PaymentsConfig } from '../../src/payments/config.ts';

// As src/config/load.ts validates: defaults filled in, nothing coerced.
const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false }).compile(PaymentsSection);

function check(raw: unknown): { ok: boolean; value: PaymentsConfig } {
  const value = structuredClone(raw) as PaymentsConfig;
  return { ok: validate(value), value };
}

describe('payments config', () => {
  it('defaults to VietQR off (empty BIN) from an empty section', () => {
    expect(check({})).toEqual({ ok: true, value: { vietqr: { bankBin: '', accountNumber: '', accountName: '' } } });
  });

  it('gives every key a title, a description and a default', () => {
    const keys = PaymentsSection.properties.vietqr.properties;
    for (const [name, schema] of Object.entries(keys)) {
      expect(schema, name).toMatchObject({ title: expect.any(String), description: expect.any(String), default: expect.anything() });
    }
    expect(PaymentsSection.properties.vietqr).toMatchObject({ title: 'VietQR', description: expect.stringContaining('Off') });
  });

  it('takes a real account', () => {
    expect(check({ vietqr: { bankBin: '970415', accountNumber: '113366668888', accountName: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG' } }).ok).toBe(true);
  });

  it.each([
    [{ bankBin: '97041' }],
    [{ bankBin: '97041a' }],
    [{ accountNumber: '0071-000' }],
    [{ accountNumber: '1'.repeat(20) }],
    [{ accountName: 'x'.repeat(101) }],
    [{ bankBin: 970415 }],
    [{ unknown: 1 }],
  ])('refuses %j', (vietqr) => {
    expect(check({ vietqr }).ok).toBe(false);
  });
});
