import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';

const TOKENS = [
  { name: 'clerk-app', token: 'clerk-secret-123', scopes: ['print', 'scan', 'queue', 'dossier'] },
  { name: 'admin-app', token: 'admin-secret-123', scopes: ['admin'] },
];

describe('HTTP security (Host, Origin, tokens, CORS)', () => {
  let agent: TestAgent & { url: string };
  beforeAll(async () => {
    agent = await startAgent(testConfig({ security: { allowedOrigins: ['https://clerk.example.gov.vn'], allowedHosts: ['desk-01.local'], tokens: TOKENS } }), { listen: true });
  });
  afterAll(() => agent.cleanup());

  const inject = (opts: Record<string, unknown>) => agent.fastify.inject(opts as never);

  it('serves loopback Host names and configured extra hosts', async () => {
    for (const host of ['localhost:7420', '127.0.0.1', '[::1]:7420', 'desk-01.local:7420']) {
      const r = await inject({ url: '/api/v1/health', headers: { host } });
      expect(r.statusCode, host).toBe(200);
    }
  });

  it('refuses any other Host (DNS rebinding) with 421', async () => {
    const r = await inject({ url: '/api/v1/devices', headers: { host: 'evil.example' } });
    expect(r.statusCode).toBe(421);
    expect(r.json()).toMatchObject({ error: 'host-not-allowed' });
    expect((await inject({ url: '/docs/json', headers: { host: 'evil.example:7420' } })).statusCode).toBe(421);
  });

  it('refuses a foreign Origin on a POST with 403', async () => {
    const r = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost', origin: 'https://evil.example' }, payload: { data: 'x' } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ error: 'origin-not-allowed' });
  });

  it('accepts the agent\'s own origin without a token', async () => {
    const r = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost:7420', origin: 'http://localhost:7420' }, payload: { data: 'own' } });
    expect(r.statusCode).toBe(202);
  });

  it('answers a preflight from an allowed origin with CORS and Private Network Access', async () => {
    const r = await inject({
      method: 'OPTIONS',
      url: '/api/v1/print/jobs',
      headers: { host: 'localhost', origin: 'https://clerk.example.gov.vn', 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' },
    });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('https://clerk.example.gov.vn');
    expect(r.headers['access-control-allow-private-network']).toBe('true');
    expect(String(r.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    const bad = await inject({ method: 'OPTIONS', url: '/api/v1/print/jobs', headers: { host: 'localhost', origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(bad.statusCode).toBe(403);
  });

  it('wants a token from an allowed foreign origin, and the right scope', async () => {
    const origin = 'https://clerk.example.gov.vn';
    const none = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost', origin }, payload: { data: 'x' } });
    expect(none.statusCode).toBe(401);
    const wrong = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost', origin, authorization: 'Bearer nope-nope-nope' }, payload: { data: 'x' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'unauthorized' });
    const scope = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost', origin, authorization: 'Bearer clerk-secret-123' }, payload: { data: 'x' } });
    expect(scope.statusCode).toBe(403);
    expect(scope.json().message).toMatch(/lacks the "admin" scope/);
    const ok = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost', origin, authorization: 'Bearer admin-secret-123' }, payload: { data: 'x' } });
    expect(ok.statusCode).toBe(202);
    expect(ok.headers['access-control-allow-origin']).toBe(origin);
  });

  it('refuses WebSocket upgrades from a foreign origin and a foreign Host', async () => {
    const port = new URL(agent.url).port;
    const attempt = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt({ origin: 'https://evil.example' })).toBe(403);
    expect(await attempt({ host: 'evil.example' })).toBe(421);
    expect(await attempt({ origin: `http://127.0.0.1:${port}` })).toBe(101);
  });

  it('validates bodies with a clear 400', async () => {
    const r = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost' }, payload: { data: 'x', extra: 1 } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'bad-request' });
    const big = await inject({ method: 'POST', url: '/api/v1/devices/barcode/simulate', headers: { host: 'localhost', 'content-type': 'application/json' }, payload: JSON.stringify({ data: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.statusCode).toBe(413);
  });

  it('serves OpenAPI and Prometheus metrics', async () => {
    const doc = (await inject({ url: '/docs/json', headers: { host: 'localhost' } })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/v1/health');
    const m = await inject({ url: '/metrics', headers: { host: 'localhost' } });
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/hcc_device_connected\{device="receipt",type="printer"\} 1/);
    expect(m.body).toMatch(/process_resident_memory_bytes/);
  });

  it('counts request durations per route and status, unknown paths and their refusals as "unmatched"', async () => {
    const count = async (labels: string) => {
      const body = (await inject({ url: '/metrics', headers: { host: 'localhost' } })).body;
      const m = new RegExp(`hcc_http_request_duration_seconds_count\\{${labels.replace(/[/.]/g, '\\$&')}\\} (\\d+)`).exec(body);
      return m ? Number(m[1]) : 0;
    };
    const health = 'method="GET",route="/api/v1/health",status="200"';
    const refused = 'method="GET",route="/api/v1/devices",status="421"';
    const missing = 'method="GET",route="unmatched",status="404"';
    const missingRefused = 'method="GET",route="unmatched",status="421"';
    const before = await Promise.all([health, refused, missing, missingRefused].map(count));
    await inject({ url: '/api/v1/health', headers: { host: 'localhost' } });
    await inject({ url: '/api/v1/health', headers: { host: 'localhost' } });
    await inject({ url: '/api/v1/devices', headers: { host: 'evil.example' } });
    await inject({ url: '/api/v1/no-such-thing', headers: { host: 'localhost' } });
    await inject({ url: '/api/v1/no-such-thing', headers: { host: 'evil.example' } });
    const after = await Promise.all([health, refused, missing, missingRefused].map(count));
    expect(after.map((n, i) => n - before[i])).toEqual([2, 1, 1, 1]);
  });
});
