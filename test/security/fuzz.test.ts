/**
 * Fuzz: random and malformed requests to every route in the OpenAPI document (fast-check driving
 * inject()). The agent must answer each with a 4xx or a success, never a 5xx, and keep running.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';

const H = { host: 'localhost' };
const TOTAL = 10_000;

interface Route {
  method: string;
  path: string;
}

const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '..', '../../etc/passwd', '%00', 'A001', '000.00.21.H30-261122-0001', 'EE123456785VN', '9'.repeat(400), 'null', '-1', '1e309', '<script>', 'Đất đai'),
);

const body = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('serviceId', 'priority', 'template', 'data', 'printer', 'dossierCode', 'level', 'ticket', 'counter', 'components', 'scanner', 'profile', 'applicant', 'receivedAt', 'appointmentAt', 'returnMethod', 'postalItem', 'format', 'aimId', 'extra', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ raw: s })) },
);

function fillPath(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}|:[A-Za-z]+/g, () => encodeURIComponent(values[i++ % values.length] || 'x'));
}

describe('fuzz every route', () => {
  let a: TestAgent;
  let routes: Route[];
  beforeAll(async () => {
    a = await startAgent(testConfig());
    const doc = (await a.fastify.inject({ url: '/docs/json', headers: H })).json();
    routes = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    // The WebSocket stream is not a request/response route.
    routes = routes.filter((r) => r.path !== '/api/v1/events');
  });
  afterAll(() => a.cleanup());

  it(`answers ${TOTAL} random requests across all routes with no 5xx`, async () => {
    expect(routes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(routes.length - 1),
        fc.array(weird, { minLength: 1, maxLength: 3 }),
        fc.dictionary(fc.constantFrom('date', 'format', 'limit', 'component', 'counter', 'before', 'x'), weird, { maxKeys: 3 }),
        body,
        fc.constantFrom('json', 'json', 'json', 'garbage', 'text'),
        async (ri, pathVals, query, payload, kind) => {
          const r = routes[ri];
          const url = `${fillPath(r.path, pathVals)}?${new URLSearchParams(query as Record<string, string>)}`;
          const hasBody = r.method !== 'GET' && r.method !== 'DELETE';
          const res = await a.fastify.inject({
            method: r.method as 'GET',
            url,
            headers: { ...H, ...(hasBody ? { 'content-type': kind === 'text' ? 'text/plain' : 'application/json' } : {}) },
            ...(hasBody ? { payload: kind === 'garbage' ? '{"a":' + '['.repeat(50) : JSON.stringify(payload) } : {}),
          });
          sent++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) failures.push(`${r.method} ${url} ${kind} ${JSON.stringify(payload).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        },
      ),
      { numRuns: TOTAL, seed: 20261122 },
    );
    expect(sent).toBe(TOTAL);
    expect(failures.slice(0, 10)).toEqual([]);
    // Still alive and healthy afterwards.
    expect((await a.fastify.inject({ url: '/api/v1/devices', headers: H })).statusCode).toBe(200);
  }, 240_000);
});
