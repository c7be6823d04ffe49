/**
 * Every refusal has {error, message, messageVi}; a validation error names the field in both
 * languages; a prototype-poisoning key is told as such; late headers close the socket on time.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { connect } from 'node:net';
import { startAgent, testConfig } from '../helpers/agent.ts';

const agent = await startAgent(testConfig({ security: { allowedOrigins: ['https://ok.example'] }, http: { headersTimeoutMs: 1000 } }), { listen: true });
afterAll(() => agent.cleanup());
const H = { host: 'localhost' };
const inject = (o: Record<string, unknown>) => agent.fastify.inject(o as never);
const shape = { error: expect.any(String), message: expect.any(String), messageVi: expect.any(String) };

function receipt(over: Record<string, unknown> = {}) {
  const now = Date.now();
  return { applicant: { name: 'Nguyễn Văn Bình' }, request: 'Cấp bản sao', components: [{ name: 'Đơn', originals: 1, copies: 0 }], sets: 1, processingTime: '3 ngày', appointmentAt: new Date(now + 3 * 86400_000).toISOString(), returnMethod: 'counter', clerk: 'Hoa', ...over };
}

describe('error bodies', () => {
  it('a refused preflight, a too long path parameter and a bad URL answer in the error shape', async () => {
    const pre = await inject({ method: 'OPTIONS', url: '/api/v1/print/jobs', headers: { ...H, origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.statusCode).toBe(403);
    expect(pre.json()).toEqual({ ...shape, error: 'origin-not-allowed' });
    const long = await inject({ url: `/api/v1/dossiers/${'x'.repeat(200)}`, headers: H });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ ...shape, error: 'uri-too-long' });
    const bad = await inject({ url: '/api/v1/dossiers/%E0%A4%A', headers: H });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ ...shape, error: 'bad-url' });
  });

  it('a validation error names the field in English and Vietnamese', async () => {
    const url = '/api/v1/dossiers/000.00.21.H30-261122-0001/receive';
    const extra = await inject({ method: 'POST', url, headers: H, payload: receipt({ dossierCode: '000.00.21.H30-261122-0001' }) });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toEqual({ error: 'bad-request', message: 'body.dossierCode is not a known field here', messageVi: 'Trường body.dossierCode không được phép ở đây' });
    const phone = await inject({ method: 'POST', url, headers: H, payload: receipt({ applicant: { name: 'A', phone: 'gọi tôi' } }) });
    expect(phone.json()).toMatchObject({ error: 'bad-request', message: expect.stringMatching(/^body\.applicant\.phone /), messageVi: 'Trường body.applicant.phone không đúng định dạng' });
    const missing = await inject({ method: 'POST', url, headers: H, payload: receipt({ clerk: undefined }) });
    expect(missing.json()).toMatchObject({ message: 'body.clerk is required', messageVi: 'Thiếu trường body.clerk' });
    const literal = await inject({ method: 'POST', url, headers: H, payload: receipt({ returnMethod: 'drone' }) });
    expect(literal.json()).toMatchObject({ message: 'body.returnMethod must be one of the allowed values', messageVi: expect.stringContaining('body.returnMethod') });
  });

  it('a body with __proto__ is refused as such, not as invalid JSON', async () => {
    const r = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { ...H, 'content-type': 'application/json' }, payload: '{"data":"x","__proto__":{"admin":true}}' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ ...shape, error: 'forbidden-key', message: expect.stringContaining('__proto__') });
    const broken = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { ...H, 'content-type': 'application/json' }, payload: '{"data":' });
    expect(broken.json()).toEqual({ ...shape, error: 'invalid-json' });
  });

  it('closes a socket whose headers do not come within http.headersTimeoutMs, not ~30 s later', async () => {
    const { port } = new URL(agent.url);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => s.write('GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n'));
      s.on('data', () => undefined);
      s.on('close', () => resolve(Date.now() - started));
      s.on('error', reject);
      // Node's default connection check comes every 30 s: well before then is the fix.
      setTimeout(() => (s.destroy(), reject(new Error('socket still open after 5 s'))), 5000).unref();
    });
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(3000);
  });
});
