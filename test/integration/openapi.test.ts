/**
 * GET /docs/json documents every route with the shapes it validates and answers: the schemas now
 * live with their domain (dossier, digitise, printing, queue, devices, health) and the routes only
 * refer to them, so this checks that each still reaches the document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';

let agent: TestAgent;
let doc: { paths: Record<string, Record<string, any>> };

beforeAll(async () => {
  agent = await startAgent(testConfig());
  doc = (await agent.fastify.inject({ url: '/docs/json', headers: { host: '127.0.0.1' } })).json();
});
afterAll(() => agent?.cleanup());

const body = (path: string, method = 'post') => doc.paths[path]?.[method]?.requestBody?.content['application/json'].schema;
const answer = (path: string, status: string, method = 'get') => doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json'].schema;

describe('OpenAPI document', () => {
  it('lists every API route with a summary, a tag and its answers', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(ops.length).toBeGreaterThan(40);
    for (const { path, method, op } of ops) {
      expect(op.summary, `${method} ${path}`).toBeTruthy();
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it('documents the dossier bodies, the flow answer and the status look-up', () => {
    const receive = body('/api/v1/dossiers/{code}/receive');
    expect(receive.required).toEqual(expect.arrayContaining(['applicant', 'sets', 'returnMethod', 'clerk']));
    // With a procedure picked, the request, papers, processing time and appointment come from it.
    expect(receive.properties.procedureCode.description).toMatch(/catalogue/);
    expect(receive.properties.fees.items.required).toEqual(['name', 'amount']);
    expect(body('/api/v1/dossiers/{code}/fees/paid').properties.method.anyOf ?? body('/api/v1/dossiers/{code}/fees/paid').properties.method.enum).toBeDefined();
    expect(doc.paths['/api/v1/procedures'].get).toBeDefined();
    expect(doc.paths['/api/v1/calendar/appointment'].get).toBeDefined();
    expect(receive.properties.applicant.properties.phone.pattern).toBe('^[0-9+ ().-]*$');
    expect(receive.properties.components.maxItems).toBe(60);
    expect(receive.additionalProperties).toBe(false);
    expect(body('/api/v1/dossiers/{code}/return').properties.postalItem.maxLength).toBe(32);
    const flow = doc.paths['/api/v1/dossiers/{code}/receive'].post.responses['201'].content['application/json'].schema;
    // OpenAPI 3.0 has no `const`: the document gives each literal as a one-value enum.
    expect(flow.properties.printJobState.anyOf.flatMap((s: { const?: string; enum?: string[] }) => s.enum ?? [s.const])).toContain('printed');
    const status = answer('/api/v1/dossiers/{code}', '200');
    expect(Object.keys(status.properties)).toEqual(expect.arrayContaining(['code', 'centralReachable', 'local', 'checkedAt', 'cached']));
  });

  it('documents print jobs, scans, devices and health', () => {
    expect(body('/api/v1/print/jobs').properties.template.anyOf).toHaveLength(4);
    expect(Object.keys(answer('/api/v1/print/jobs/{id}', '200').properties)).toEqual(expect.arrayContaining(['id', 'printer', 'template', 'state', 'format', 'attempts']));
    expect(body('/api/v1/scans').properties.dossierCode.pattern).toBeDefined();
    expect(answer('/api/v1/scans/{id}', '200').properties.documents.items.properties.state.anyOf).toHaveLength(5);
    expect(answer('/api/v1/devices', '200').items.properties.status.properties.reasonVi.type).toBe('string');
    expect(Object.keys(answer('/api/v1/health', '200').properties)).toEqual(['status', 'agent', 'site', 'uptimeMs', 'checks']);
    expect(body('/api/v1/queue/tickets').properties.serviceId).toBeDefined();
  });
});
