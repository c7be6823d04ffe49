/** The queue API through the agent's HTTP layer: flows, scopes, board pushes, voice, ratings, report, restart. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { buildApp } from '../../src/app.ts';
import { HttpError } from '../../src/http/errors.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated.ts';

const TOKENS = [
  { name: 'kiosk', token: 'kiosk-token-1', scopes: ['queue'] },
  { name: 'board', token: 'board-token-1', scopes: ['board'] },
  { name: 'printer', token: 'print-token-1', scopes: ['print'] },
];

function config(queuePatch: Record<string, unknown> = {}, patch: Record<string, unknown> = {}) {
  const base = testConfig();
  return testConfig({ security: { tokens: TOKENS }, queue: { ...base.queue, ...queuePatch }, ...patch });
}

const agents: TestAgent[] = [];
async function agentWith(cfg = config()) {
  const a = await startAgent(cfg);
  agents.push(a);
  return a;
}
afterEach(async () => {
  for (const a of agents.splice(0)) await a.cleanup();
});

function api(a: TestAgent) {
  return async (method: 'GET' | 'POST', url: string, payload?: unknown, token?: string) => {
    const res = await a.fastify.inject({
      method,
      url: `/api/v1${url}`,
      payload: payload as Record<string, unknown> | undefined,
      headers: { host: '127.0.0.1', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.statusCode, body: String(res.headers['content-type'] ?? '').startsWith('application/json') ? res.json() : res.body, headers: res.headers, raw: res.rawPayload };
  };
}

describe('queue API', () => {
  it('issues, calls, recalls, transfers, skips and completes with events through the outbox', async () => {
    const a = await agentWith(config({ printing: { enabled: false } }));
    const q = api(a);
    const seen: CloudEvent[] = [];
    a.ctx.bus.subscribe((e) => seen.push(e));

    const t1 = await q('POST', '/queue/tickets', { serviceId: 'land' }, 'kiosk-token-1');
    expect(t1).toMatchObject({ status: 201, body: { number: 'A001', serviceId: 'land', waitingAhead: 0 } });
    expect(t1.body).not.toHaveProperty('printJobId');
    const t2 = await q('POST', '/queue/tickets', { serviceId: 'civil', priority: 'war-invalid' });
    expect(t2.body).toMatchObject({ number: 'B001', priority: 'war-invalid' });

    const c = await q('POST', '/queue/counters/1/call-next');
    expect(c.body).toMatchObject({ counterId: '1', ticket: { number: 'B001', state: 'called' }, callId: 1 });
    expect((await q('POST', '/queue/counters/1/recall')).body).toMatchObject({ ticket: { number: 'B001' }, callId: 2 });
    expect((await q('POST', '/queue/counters/1/transfer', { serviceId: 'land' })).body).toMatchObject({ ticket: { number: 'B001', serviceId: 'land', state: 'waiting' } });
    expect((await q('POST', '/queue/counters/3/call-next')).body).toMatchObject({ ticket: { number: 'B001' } });
    expect((await q('POST', '/queue/counters/3/skip')).body).toMatchObject({ ticket: { number: 'B001', state: 'no-show' } });
    expect((await q('POST', '/queue/counters/3/call-next')).body).toMatchObject({ ticket: { number: 'A001' } });
    expect((await q('POST', '/queue/counters/3/complete')).body).toMatchObject({ ticket: { number: 'A001', state: 'completed' } });
    expect((await q('POST', '/queue/counters/3/complete')).status).toBe(409);
    expect((await q('POST', '/queue/counters/3/call-next')).body).toMatchObject({ ticket: null, notice: { messageVi: 'Không còn số chờ' } });

    const state = (await q('GET', '/queue/state')).body;
    expect(state.services).toEqual([
      expect.objectContaining({ id: 'land', waiting: 0, lastIssued: 'A001' }),
      expect.objectContaining({ id: 'civil', waiting: 0, lastIssued: 'B001' }),
    ]);
    expect(state.lastCalls.map((c: { number: string; counterId: string }) => `${c.number}@${c.counterId}`)).toEqual(['A001@3', 'B001@3', 'B001@1', 'B001@1']);
    expect(state.lastCalls[0]).toMatchObject({ text: 'Mời công dân có số thứ tự A001 đến quầy số 3', audioUrl: `/api/v1/queue/voice/${state.lastCalls[0].callId}.wav` });

    const outbox = a.ctx.db.prepare("SELECT type, subject FROM outbox WHERE type LIKE 'hcc.queue.ticket.%' ORDER BY seq").all();
    expect(outbox.map((r: any) => `${r.type.replace('hcc.queue.ticket.', '')} ${r.subject}`)).toEqual([
      'issued A001',
      'issued B001',
      'called B001',
      'recalled B001',
      'transferred B001',
      'called B001',
      'skipped B001',
      'called A001',
      'completed A001',
    ]);
    expect(seen.filter((e) => e.type.startsWith('hcc.queue.ticket.'))).toHaveLength(9);
  });

  it('refuses what it should, with Vietnamese messages', async () => {
    const a = await agentWith();
    const q = api(a);
    expect(await q('POST', '/queue/tickets', { serviceId: 'land', extra: 1 })).toMatchObject({ status: 400 });
    expect(await q('POST', '/queue/tickets', { serviceId: 'tax' })).toMatchObject({ status: 404, body: { error: 'unknown-service', messageVi: 'Không có dịch vụ tax' } });
    expect(await q('POST', '/queue/counters/9/call-next')).toMatchObject({ status: 404 });
    expect(await q('POST', '/queue/counters/1/transfer', {})).toMatchObject({ status: 400 });
    expect(await q('POST', '/queue/ratings', { level: 'satisfied' })).toMatchObject({ status: 400 });
    expect(await q('GET', '/queue/report?date=22-11-2026')).toMatchObject({ status: 400 });
  });

  it('scopes: queue acts, board reads, others neither', async () => {
    const a = await agentWith();
    const q = api(a);
    expect((await q('POST', '/queue/tickets', { serviceId: 'land', print: false }, 'kiosk-token-1')).status).toBe(201);
    expect((await q('POST', '/queue/tickets', { serviceId: 'land' }, 'board-token-1')).status).toBe(403);
    expect((await q('POST', '/queue/counters/1/call-next', undefined, 'board-token-1')).status).toBe(403);
    expect((await q('GET', '/queue/state', undefined, 'board-token-1')).status).toBe(200);
    expect((await q('GET', '/queue/config', undefined, 'board-token-1')).status).toBe(200);
    expect((await q('GET', '/queue/state', undefined, 'kiosk-token-1')).status).toBe(200);
    expect((await q('GET', '/queue/state', undefined, 'print-token-1')).status).toBe(403);
    expect((await q('GET', '/queue/report', undefined, 'board-token-1')).status).toBe(403);
  });

  it('config for the pages', async () => {
    const a = await agentWith();
    const cfg = (await api(a)('GET', '/queue/config')).body;
    expect(cfg).toMatchObject({ role: 'host', open: true, timezone: 'Asia/Ho_Chi_Minh' });
    expect(cfg.priorityCategories.map((c: { name: string }) => c.name)).toContain('Người cao tuổi');
    expect(cfg.ratingLevels.map((l: { name: string }) => l.name)).toEqual(['Rất hài lòng', 'Hài lòng', 'Không hài lòng']);
    const doc = (await a.fastify.inject({ url: '/docs/json', headers: { host: '127.0.0.1' } })).json();
    for (const p of ['/api/v1/queue/tickets', '/api/v1/queue/state', '/api/v1/queue/counters/{id}/transfer', '/api/v1/queue/ratings', '/api/v1/queue/report', '/api/v1/queue/blocks']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/api/v1/queue/tickets'].post.requestBody.content['application/json'].schema.properties.serviceId).toBeDefined();
  });
});

describe('printing the ticket', () => {
  it('a printing failure still issues the ticket, with printError for the screen', async () => {
    const a = await agentWith();
    vi.spyOn(a.ctx.printing, 'submit').mockImplementation(() => {
      throw new HttpError(409, 'paper-out', 'printer ticket is out of paper', 'Máy in hết giấy');
    });
    const t = await api(a)('POST', '/queue/tickets', { serviceId: 'land' });
    expect(t).toMatchObject({ status: 201, body: { number: 'A001', printError: { code: 'paper-out', messageVi: expect.stringContaining('Máy in hết giấy') } } });
    expect((await api(a)('GET', '/queue/state')).body.services[0].waiting).toBe(1);
  });

  it('the simulated printer out of paper: tickets issued, the job shows it to staff, the next answer says it', async () => {
    const a = await agentWith();
    const q = api(a);
    (a.ctx.devices.get('receipt') as SimulatedPrinter).setCondition({ paperOut: true });
    const first = await q('POST', '/queue/tickets', { serviceId: 'land' });
    expect(first).toMatchObject({ status: 201, body: { number: 'A001', printJobId: expect.any(String) } });
    // The job waits for paper with its reason: what the admin page and the kiosk show.
    await expect.poll(async () => (await q('GET', `/print/jobs/${first.body.printJobId}`)).body, { timeout: 10_000 }).toMatchObject({ state: 'waiting', code: 'paper-out' });
    const second = await q('POST', '/queue/tickets', { serviceId: 'land' });
    expect(second).toMatchObject({ status: 201, body: { number: 'A002', printJobId: expect.any(String), printError: { code: 'paper-out', messageVi: expect.stringContaining('hết giấy') } } });
    expect((await q('GET', '/queue/state')).body.services[0].waiting).toBe(2);
    (a.ctx.devices.get('receipt') as SimulatedPrinter).setCondition({ paperOut: false });
  });
});

describe('board, voice and ratings', () => {
  it('pushes the board state to WebSocket clients', async () => {
    const a = await startAgent(config(), { listen: true });
    agents.push(a);
    const ws = new WebSocket(`${a.url.replace('http', 'ws')}/api/v1/events`);
    const got: CloudEvent[] = [];
    ws.on('message', (m) => got.push(JSON.parse(m.toString())));
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    await api(a)('POST', '/queue/tickets', { serviceId: 'land', print: false });
    await api(a)('POST', '/queue/counters/3/call-next');
    await expect.poll(() => got.find((e) => e.type === 'hcc.queue.board' && (e.data as any).counters.some((c: any) => c.current?.number === 'A001')), { timeout: 5000 }).toBeTruthy();
    expect(got.map((e) => e.type)).toEqual(expect.arrayContaining(['hcc.queue.ticket.issued', 'hcc.queue.ticket.called', 'hcc.queue.board']));
    ws.close();
  });

  it('serves the voice call as WAV', async () => {
    const a = await agentWith();
    const q = api(a);
    await q('POST', '/queue/tickets', { serviceId: 'land', print: false });
    const { body } = await q('POST', '/queue/counters/3/call-next');
    const wav = await q('GET', `/queue/voice/${body.callId}.wav`, undefined, 'board-token-1');
    expect(wav.status).toBe(200);
    expect(wav.headers['content-type']).toBe('audio/wav');
    expect(wav.raw.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.raw.length).toBeGreaterThan(40_000);
    expect((await q('GET', '/queue/voice/999.wav')).status).toBe(404);
  });

  it('rating after completion, once, and the report with waiting and service times', async () => {
    const a = await agentWith(config({ printing: { enabled: false } }));
    const q = api(a);
    let now = Date.UTC(2026, 10, 23, 2, 0, 0); // 09:00 in Vietnam
    a.ctx.queue.clock = () => new Date(now);
    for (let i = 0; i < 3; i++) await q('POST', '/queue/tickets', { serviceId: 'land' });
    now += 60_000;
    await q('POST', '/queue/counters/3/call-next'); // A001 waited 60 s
    now += 120_000;
    await q('POST', '/queue/counters/3/call-next'); // A001 served 120 s; A002 waited 180 s
    now += 300_000;
    await q('POST', '/queue/counters/3/skip'); // A002 no-show
    expect((await q('GET', '/queue/rating/pending?counter=3')).body.ticket).toMatchObject({ number: 'A001' });
    expect(await q('POST', '/queue/ratings', { counterId: '3', level: 'very-satisfied' })).toMatchObject({ status: 201, body: { number: 'A001', score: 2 } });
    expect(await q('POST', '/queue/ratings', { number: 'A001', level: 'satisfied' })).toMatchObject({ status: 409, body: { error: 'already-rated' } });
    expect(await q('POST', '/queue/ratings', { number: 'A002', level: 'satisfied' })).toMatchObject({ status: 409, body: { error: 'not-served' } });
    expect(a.ctx.db.prepare("SELECT subject FROM outbox WHERE type = 'hcc.feedback.rated'").pluck().all()).toEqual(['A001']);

    const report = (await q('GET', '/queue/report?date=2026-11-23')).body;
    expect(report.services[0]).toEqual({
      id: 'land',
      name: 'Đất đai',
      tickets: 3,
      served: 1,
      noShow: 1,
      waiting: 1,
      avgWaitSec: 120,
      p90WaitSec: 180,
      avgServiceSec: 120,
      p90ServiceSec: 120,
      ratings: { 'very-satisfied': 1 },
    });
    expect(report.counters.find((c: { id: string }) => c.id === '3')).toMatchObject({ tickets: 2, served: 1, noShow: 1 });
    const csv = await q('GET', '/queue/report?date=2026-11-23&format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = String(csv.body).replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('kind,id,name,tickets,served,noShow,waiting,avgWaitSec,p90WaitSec,avgServiceSec,p90ServiceSec,rating:very-satisfied,rating:satisfied,rating:unsatisfied');
    expect(lines[1]).toBe('service,land,Đất đai,3,1,1,1,120,180,120,120,1,0,0');
    expect((await q('GET', '/queue/report?date=2026-11-22')).body.total.tickets).toBe(0);
  });
});

describe('restart', () => {
  it('numbering survives a restart and resets after midnight in Vietnam', async () => {
    const cfg = config({ printing: { enabled: false } });
    let now = Date.UTC(2026, 10, 23, 16, 58, 0); // 23:58 in Vietnam
    const first = await buildApp(cfg);
    first.ctx.queue.clock = () => new Date(now);
    await first.start({ listen: false });
    const q1 = api(first as TestAgent);
    expect((await q1('POST', '/queue/tickets', { serviceId: 'land' })).body.number).toBe('A001');
    expect((await q1('POST', '/queue/tickets', { serviceId: 'land' })).body.number).toBe('A002');
    await first.stop();

    const second = await agentWith(cfg);
    second.ctx.queue.clock = () => new Date(now);
    const q2 = api(second);
    expect((await q2('POST', '/queue/tickets', { serviceId: 'land' })).body.number).toBe('A003');
    expect((await q2('GET', '/queue/state')).body.services[0]).toMatchObject({ waiting: 3, lastIssued: 'A003' });
    now = Date.UTC(2026, 10, 23, 17, 0, 30); // 00:00:30 on the 24th in Vietnam
    expect((await q2('POST', '/queue/tickets', { serviceId: 'land' })).body).toMatchObject({ number: 'A001', day: '2026-11-24' });
    expect((await q2('GET', '/queue/state')).body.services[0]).toMatchObject({ waiting: 1, lastIssued: 'A001' });
  });
});
