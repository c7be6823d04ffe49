import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type TestAgent } from '../helpers/agent.ts';

describe('events WebSocket', () => {
  let agent: TestAgent & { url: string };
  beforeAll(async () => {
    agent = await startAgent(undefined, { listen: true });
  });
  afterAll(() => agent.cleanup());

  it('delivers a simulated barcode scan to a WebSocket client as a CloudEvent', async () => {
    const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/api/v1/events`);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const got = new Promise<any>((resolve) =>
      ws.on('message', (m) => {
        const ev = JSON.parse(String(m));
        if (ev.type === 'hcc.barcode.scanned') resolve(ev);
      }),
    );
    const res = await fetch(`${agent.url}/api/v1/devices/barcode/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: 'HELLO-123', aimId: ']C0' }) });
    expect(res.status).toBe(202);
    const ev = await got;
    ws.close();
    expect(ev).toMatchObject({ specversion: '1.0', type: 'hcc.barcode.scanned', source: 'urn:hcc:test-site:test-desk', datacontenttype: 'application/json' });
    expect(ev.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(ev.time).toISOString()).toBe(ev.time);
    expect(ev.data).toMatchObject({ device: 'barcode', raw: 'HELLO-123' });
  });

  it('sends only the asked-for types with ?types= (exact types, or prefixes ending in a dot)', async () => {
    const open = async (q: string) => {
      const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/api/v1/events${q}`);
      const types: string[] = [];
      ws.on('message', (m) => types.push(JSON.parse(String(m)).type));
      await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
      return { ws, types };
    };
    const all = await open('');
    const scans = await open('?types=hcc.barcode.scanned');
    const devices = await open('?types=hcc.device.,hcc.nothing');
    const none = await open('?types=hcc.queue.board');
    await fetch(`${agent.url}/api/v1/devices/barcode/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: 'FILTER-1' }) });
    await agent.ctx.devices.get('receipt')!.stop(); // an hcc.device.status event
    // Each filtered socket gets its event in the same server tick as the others (and `none` would get them then too).
    await expect.poll(() => all.types.includes('hcc.barcode.scanned') && all.types.includes('hcc.device.status') && scans.types.length > 0 && devices.types.length > 0).toBe(true);
    for (const c of [all, scans, devices, none]) c.ws.close();
    expect(scans.types.length).toBeGreaterThan(0);
    expect(new Set(scans.types)).toEqual(new Set(['hcc.barcode.scanned']));
    expect(devices.types.length).toBeGreaterThan(0);
    expect(devices.types.every((t) => t.startsWith('hcc.device.'))).toBe(true);
    expect(none.types).toEqual([]);
  });

  it('refuses to simulate on a device that is not a simulated scanner', async () => {
    const r = await agent.fastify.inject({ method: 'POST', url: '/api/v1/devices/receipt/simulate', headers: { host: 'localhost' }, payload: { data: 'x' } });
    expect(r.statusCode).toBe(409);
    const n = await agent.fastify.inject({ method: 'POST', url: '/api/v1/devices/nope/simulate', headers: { host: 'localhost' }, payload: { data: 'x' } });
    expect(n.statusCode).toBe(404);
  });
});
