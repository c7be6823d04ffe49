/**
 * A clerk receives a dossier by picking a procedure: the receipt takes the components, the
 * processing time, the appointment in working days (across Tết) and the fees from the catalogue;
 * a fee prints as a VietQR that zbarimg reads off the printed raster and vietnam-qr-pay decodes to
 * the right amount and purpose; payment is recorded once and shows on the result slip.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QRPay } from 'vietnam-qr-pay';
import { startAgent, tempDir, testConfig, type TestAgent } from '../helpers/agent.ts';
import { formatDossierCode } from '../../src/dossier/codes.ts';
import { projectPath } from '../../src/paths.ts';
import { waitFor } from '../helpers/wait.ts';
import type { PrintService } from '../../src/printing/service.ts';

const H = { host: 'localhost' };
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
const code = (n: number, day = today()) => formatDossierCode('000.00.21.H30', day, n);
const applicant = { name: 'Nguyễn Văn Bình', address: '12 phường Đình Bảng, Từ Sơn' };
const base = { applicant, sets: 1, returnMethod: 'counter', clerk: 'Trần Thị Hoa' };

describe('receiving by procedure, fees and VietQR', () => {
  let agent: TestAgent;
  const dir = tempDir();

  beforeAll(async () => {
    agent = await startAgent(
      testConfig({
        procedures: { files: [projectPath('config', 'procedures')] },
        payments: { vietqr: { bankBin: '970415', accountNumber: '113366668888', accountName: 'TRUNG TAM PVHCC' } },
        agent: { dataDir: join(dir, 'data') },
      }),
    );
  });
  afterAll(() => agent.cleanup());

  const inject = (method: 'GET' | 'POST', url: string, payload?: object) => agent.fastify.inject({ method, url: `/api/v1${url}`, headers: H, ...(payload ? { payload } : {}) });
  const jobData = async (id: string) => {
    await waitFor(async () => ['printed', 'failed'].includes((await inject('GET', `/print/jobs/${id}`)).json().state));
    return (await inject('GET', `/print/jobs/${id}/preview.png`)).rawPayload;
  };
  const outboxEvent = (type: string, subject: string) =>
    agent.ctx.db.prepare('SELECT type, subject, envelope FROM outbox WHERE type = ? AND subject = ?').all(type, subject) as { envelope: string }[];

  it('GET /procedures searches the catalogue without diacritics; GET /procedures/:code gives one', async () => {
    const r = (await inject('GET', '/procedures?q=dang%20ky%20bien%20dong')).json();
    expect(r.items.map((p: { code: string }) => p.code)).toEqual(['1.004227']);
    expect(r.catalogue).toMatchObject({ size: 7, source: 'files' });
    expect((await inject('GET', '/procedures/1.001193')).json().name).toBe('Thủ tục đăng ký khai sinh');
    const missing = await inject('GET', '/procedures/9.999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().messageVi).toMatch(/Không tìm thấy thủ tục/);
    expect((await inject('GET', `/procedures?q=${'x'.repeat(300)}`)).statusCode).toBe(400);
    // Ajv coerces "1e309" to Infinity and lets it through an integer's maximum: refused, not a 500 (found by the fuzz test).
    for (const url of ['/procedures?limit=1e309', '/print/jobs?limit=1e309', '/calendar/appointment?workingDays=1e309']) {
      const r = await inject('GET', url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().messageVi, url).toBeTruthy();
    }
  });

  it('GET /calendar/appointment counts working days across Tết and says which days it skipped', async () => {
    const r = (await inject('GET', `/calendar/appointment?from=${encodeURIComponent('2026-02-12T10:00:00+07:00')}&workingDays=5`)).json();
    expect(r.appointmentAt).toBe('2026-02-26T03:00:00.000Z'); // Thursday 26/2 10:00, after the 14–22/2 break
    expect(r.skipped.map((s: { date: string }) => s.date)).toEqual(expect.arrayContaining(['2026-02-17', '2026-02-22']));
    expect(r.skipped.find((s: { date: string }) => s.date === '2026-02-17').reasonVi).toBe('Tết Nguyên đán');
    expect((await inject('GET', '/calendar/appointment?from=2026-02-31T10:00:00%2B07:00&workingDays=1')).statusCode).toBe(400);
    expect((await inject('GET', '/calendar/appointment?workingDays=-1')).statusCode).toBe(400);
    expect((await inject('GET', '/calendar/appointment')).json().error).toBe('bad-query');
  });

  it('a receipt for a procedure takes its components, processing time, appointment and fees', async () => {
    // Received before Tết 2026: the 3 working days run past the break.
    const c = code(1, '2026-02-12');
    const res = await inject('POST', `/dossiers/${c}/receive`, { ...base, procedureCode: '1.001612', receivedAt: '2026-02-12T10:00:00+07:00' });
    expect(res.statusCode, res.body).toBe(201);
    const [row] = outboxEvent('hcc.dossier.received', c);
    expect(row).toBeDefined();
    const data = JSON.parse((agent.ctx.printing as PrintService).store.get(res.json().printJobId)!.data);
    expect(data).toMatchObject({
      procedure: { code: '1.001612', name: 'Đăng ký thành lập hộ kinh doanh' },
      request: 'Đăng ký thành lập hộ kinh doanh',
      processingTime: '3 ngày làm việc',
      appointmentAt: '2026-02-24T03:00:00.000Z', // 13/2, then after the 14–22/2 break 23 and 24/2
      fee: 100000,
      fees: [{ name: 'Lệ phí đăng ký hộ kinh doanh (theo mức HĐND tỉnh)', amount: 100000 }],
    });
    // only the required components are pre-ticked
    expect(data.components.map((x: { name: string }) => x.name)).toHaveLength(2);
  });

  it('the fee prints as a VietQR that zbarimg reads off the raster and an independent decoder reads back', async () => {
    const c = code(2);
    const res = await inject('POST', `/dossiers/${c}/receive`, { ...base, procedureCode: '1.001612' });
    expect(res.statusCode, res.body).toBe(201);
    const png = join(dir, 'receipt.png');
    writeFileSync(png, await jobData(res.json().printJobId));
    const symbols = execFileSync('zbarimg', ['-q', '--raw', png], { encoding: 'utf8' }).trim().split('\n');
    expect(symbols).toContain(c); // the dossier code QR is still there
    const pay = new QRPay(symbols.find((s) => s.startsWith('000201'))!);
    expect(pay.isValid).toBe(true);
    expect(pay.consumer).toMatchObject({ bankBin: '970415', bankNumber: '113366668888' });
    expect(pay.amount).toBe('100000');
    expect(pay.additionalData.purpose).toBe(c);
    expect(pay.currency).toBe('704');
    expect(pay.nation).toBe('VN');
  });

  it('a procedure without fee prints no fee and no QR; paying it is refused', async () => {
    const c = code(3);
    const res = await inject('POST', `/dossiers/${c}/receive`, { ...base, procedureCode: '1.001193' });
    expect(res.statusCode, res.body).toBe(201);
    const png = join(dir, 'free.png');
    writeFileSync(png, await jobData(res.json().printJobId));
    expect(execFileSync('zbarimg', ['-q', '--raw', png], { encoding: 'utf8' }).trim()).toBe(c);
    const paid = await inject('POST', `/dossiers/${c}/fees/paid`, { method: 'cash' });
    expect(paid.statusCode).toBe(409);
    expect(paid.json()).toMatchObject({ error: 'no-fee-due', messageVi: expect.stringMatching(/không phải nộp phí/) });
  });

  it('refuses what cannot be right: unknown procedure, fee mismatch, an open fee without its amount, a missing field', async () => {
    const cases: [object, string][] = [
      [{ ...base, procedureCode: '9.999999' }, 'unknown-procedure'],
      [{ ...base, procedureCode: '1.001612', fee: 50000, fees: [{ name: 'Lệ phí', amount: 100000 }] }, 'fee-mismatch'],
      [{ ...base, procedureCode: '1.004227' }, 'fee-amount-required'],
      [{ ...base, components: [{ name: 'Tờ khai', originals: 1, copies: 0 }], processingTime: '3 ngày', appointmentAt: new Date(Date.now() + 86400000).toISOString() }, 'field-required'],
    ];
    let n = 10;
    for (const [body, error] of cases) {
      const r = await inject('POST', `/dossiers/${code(n++)}/receive`, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error).toBe(error);
      expect(r.json().messageVi).toBeTruthy();
    }
    // nothing of the refused receipts was recorded
    expect(outboxEvent('hcc.dossier.received', code(10))).toHaveLength(0);
    // the open fee with the clerk's figure goes through
    const ok = await inject('POST', `/dossiers/${code(20)}/receive`, { ...base, procedureCode: '1.004227', fees: [{ name: 'Lệ phí cấp Giấy chứng nhận', amount: 20000 }, { name: 'Phí thẩm định hồ sơ', amount: 0 }] });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('payment is recorded once through the outbox, and the result slip says paid', async () => {
    const c = code(4);
    expect((await inject('POST', `/dossiers/${c}/receive`, { ...base, procedureCode: '1.001612' })).statusCode).toBe(201);
    expect((await inject('POST', `/dossiers/${c}/fees/paid`, { method: 'transfer', amount: 90000 })).json().error).toBe('fee-mismatch');
    expect((await inject('POST', `/dossiers/${c}/fees/paid`, { method: 'card' })).statusCode).toBe(400);
    const paid = await inject('POST', `/dossiers/${c}/fees/paid`, { method: 'transfer', reference: 'FT26336123456', amount: 100000 });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ dossierCode: c, amount: 100000, method: 'transfer', reference: 'FT26336123456' });
    expect(outboxEvent('hcc.dossier.fee.paid', c)).toHaveLength(1);
    expect(JSON.parse(outboxEvent('hcc.dossier.fee.paid', c)[0].envelope).data).toMatchObject({ dossierCode: c, amount: 100000, method: 'transfer', reference: 'FT26336123456' });
    const again = await inject('POST', `/dossiers/${c}/fees/paid`, { method: 'cash' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('fee-already-paid');
    expect(outboxEvent('hcc.dossier.fee.paid', c)).toHaveLength(1);
    expect((await inject('GET', `/dossiers/${c}`)).json().local).toMatchObject({ fee: 100000, feePaidAt: expect.any(String) });
    const ret = await inject('POST', `/dossiers/${c}/return`, { returnMethod: 'counter', clerk: 'Trần Thị Hoa' });
    expect(ret.statusCode, ret.body).toBe(201);
    const [slipEvent] = outboxEvent('hcc.dossier.result.returned', c);
    expect(slipEvent).toBeDefined();
    // The slip says the fee was paid, and how.
    const slip = JSON.parse((agent.ctx.printing as PrintService).store.get(ret.json().printJobId)!.data);
    expect(slip.fee).toEqual({ amount: 100000, paid: true, method: 'transfer' });
    // a dossier received elsewhere has no fee known here
    expect((await inject('POST', `/dossiers/${code(5)}/fees/paid`, { method: 'cash' })).json().error).toBe('not-received-here');
  });
});
