/**
 * A NUL (or another control character) in any text field is refused at the edge with a 400 that
 * names the field; a job whose render fails anyway is that job's state, never a 500.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { dossierCodeOn } from '../helpers/codes.ts';
import { receiptData } from '../unit/printing-fixtures.ts';

const agent = await startAgent(testConfig({ printing: { waitingPollMs: 200 } }));
afterAll(() => agent.cleanup());
const H = { host: 'localhost' };

function receipt(over: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    applicant: { name: 'Nguyễn Văn Bình', phone: '0912345678' },
    request: 'Cấp giấy chứng nhận quyền sử dụng đất',
    components: [{ name: 'Đơn đăng ký', originals: 1, copies: 0 }],
    sets: 1,
    processingTime: '15 ngày làm việc',
    receivedAt: new Date(now - 60_000).toISOString(),
    appointmentAt: new Date(now + 15 * 86_400_000).toISOString(),
    returnMethod: 'counter',
    clerk: 'Trần Thị Hoa',
    ...over,
  };
}
const jobs = () => (agent.ctx.db.prepare('SELECT COUNT(*) AS n FROM print_jobs').get() as { n: number }).n;

describe('control characters', () => {
  it('refuses a NUL in the applicant name with a 400 naming the field in English and Vietnamese, and stores nothing', async () => {
    const before = jobs();
    const r = await agent.fastify.inject({ method: 'POST', url: `/api/v1/dossiers/${dossierCodeOn(1, Date.now())}/receive`, headers: H, payload: receipt({ applicant: { name: 'Ng\u0000oc' } }) });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      error: 'control-character',
      message: expect.stringContaining('body.applicant.name'),
      messageVi: expect.stringMatching(/^Trường body\.applicant\.name chứa ký tự điều khiển \(U\+0000\)/),
    });
    expect(jobs()).toBe(before);
  });

  it('checks every route: print data (keys too), path parameters and query strings', async () => {
    const bad = [
      await agent.fastify.inject({ method: 'POST', url: '/api/v1/print/jobs', headers: H, payload: { template: 'dossier-receipt', data: receiptData({ clerk: 'A\u001bB' }) } }),
      await agent.fastify.inject({ method: 'POST', url: '/api/v1/print/jobs', headers: H, payload: { template: 'test-page', data: { 'k\u0007': 1 } } }),
      await agent.fastify.inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: H, payload: { data: 'x\u0085y' } }),
      await agent.fastify.inject({ url: '/api/v1/print/jobs?printer=rec%0Aeipt', headers: H }),
      await agent.fastify.inject({ url: '/api/v1/dossiers/000.00.21.H30%00-1', headers: H }),
      await agent.fastify.inject({ method: 'POST', url: '/api/v1/print/jobs', headers: { ...H, 'content-type': 'application/json' }, payload: '{"template":"test-page","data":{"x":"\\ud800"}}' }),
    ];
    expect(bad.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(bad.map((r) => r.json().error)).toEqual(Array(6).fill('control-character'));
    expect(bad.map((r) => /^(\S+)/.exec(r.json().message)![1])).toEqual(['body.data.clerk', 'body.data', 'body.data', 'querystring.printer', 'params.code', 'body.data.x']);
  });

  it('accepts a request written on several lines, and prints it', async () => {
    const r = await agent.fastify.inject({ method: 'POST', url: `/api/v1/dossiers/${dossierCodeOn(2, Date.now())}/receive`, headers: H, payload: receipt({ request: 'Cấp đổi giấy chứng nhận\nvà đính chính thông tin\tthửa đất' }) });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().printJobId;
    await expect.poll(() => agent.ctx.printing.get(id)?.state, { timeout: 15_000 }).toBe('printed');
    expect((await agent.fastify.inject({ url: `/api/v1/print/jobs/${id}/preview.png`, headers: H })).statusCode).toBe(200);
  });

  it('a job that cannot be rendered is that job\'s state: its preview answers 409 with the error body, never 500', async () => {
    // Data stored before this check existed (or reaching the service another way).
    const { id } = agent.ctx.printing.submit({ template: 'dossier-receipt', data: receiptData({ applicant: { name: 'Ng\u0000oc' } }) });
    await expect.poll(() => agent.ctx.printing.get(id)?.state, { timeout: 15_000 }).toBe('failed');
    expect(agent.ctx.printing.get(id)).toMatchObject({ code: 'render-error' });
    const r = await agent.fastify.inject({ url: `/api/v1/print/jobs/${id}/preview.png`, headers: H });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ error: 'render-error', message: expect.any(String), messageVi: expect.any(String) });
  });
});
