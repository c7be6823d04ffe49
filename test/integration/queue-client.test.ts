/**
 * A client kiosk against a real host over HTTP: forwarding with the token, printing on the
 * kiosk's own printer, the host going away (plain status, numbers from the reserved block, never
 * a duplicate) and coming back (offline tickets reach the host's line).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import type { PrintRequest } from '../../src/printing/api.ts';

const TOKEN = 'kiosk-secret-1';
const LOG: string[] = [];

/** Records the print jobs an agent submits instead of printing them; the record outlives an agent's restart. */
function recordingPrinter(): { jobs: PrintRequest[]; attach(a: TestAgent): void } {
  const jobs: PrintRequest[] = [];
  return {
    jobs,
    attach(a) {
      vi.spyOn(a.ctx.printing, 'submit').mockImplementation((req) => {
        jobs.push(req);
        return { id: `job-${jobs.length}`, state: 'queued' };
      });
    },
  };
}

describe('queue client kiosk', () => {
  const started: TestAgent[] = [];
  afterAll(async () => {
    for (const a of started.reverse()) await a.cleanup().catch(() => undefined);
  });

  it('forwards to the host, issues from its reserved block while the host is down, and syncs back', async () => {
    const base = testConfig();
    const hostCfg = testConfig({ security: { tokens: [{ name: 'kiosk', token: TOKEN, scopes: ['queue'] }] }, queue: { ...base.queue, voice: { enabled: false } } });
    let host = await startAgent(hostCfg, { listen: true });
    started.push(host);
    const port = Number(new URL(host.url).port);
    const hostPrinter = recordingPrinter();
    hostPrinter.attach(host);

    const client = await startAgent(
      testConfig({
        agent: { id: 'kiosk-1' },
        queue: { ...base.queue, role: 'client', hostUrl: host.url, token: TOKEN, client: { checkIntervalMs: 200, timeoutMs: 1000, blockSize: 3 } },
      }),
      { logLines: LOG },
    );
    started.push(client);
    const boards: { services: { waiting: number }[] }[] = [];
    client.ctx.bus.subscribe((e) => e.type === 'hcc.queue.board' && boards.push(e.data as (typeof boards)[number]));
    const kioskPrinter = recordingPrinter();
    kioskPrinter.attach(client);
    const q = async (a: TestAgent, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const res = await a.fastify.inject({ method, url: `/api/v1${url}`, payload: payload as Record<string, unknown> | undefined, headers: { host: '127.0.0.1' } });
      return { status: res.statusCode, body: res.json() };
    };

    // The client reserves a block per service as soon as it reaches the host.
    await expect.poll(async () => (await q(client, 'GET', '/queue/link')).body.blocks, { timeout: 10_000 }).toEqual([
      { serviceId: 'land', remaining: 3 },
      { serviceId: 'civil', remaining: 3 },
    ]);

    const numbers: string[] = [];
    const online = await q(client, 'POST', '/queue/tickets', { serviceId: 'land' });
    expect(online).toMatchObject({ status: 201, body: { number: 'A001', printJobId: 'job-1' } });
    expect(online.body).not.toHaveProperty('offline');
    numbers.push(online.body.number);
    // Printed on the kiosk, not on the host.
    expect(kioskPrinter.jobs.map((j) => j.data.number)).toEqual(['A001']);
    expect(hostPrinter.jobs).toEqual([]);
    expect((await q(host, 'GET', '/queue/state')).body.services[0]).toMatchObject({ waiting: 1, lastIssued: 'A001' });
    // The host's board reaches this agent's live listeners (its pages) too.
    await expect.poll(() => boards.some((b) => b.services[0].waiting === 1), { timeout: 5000 }).toBe(true);
    expect((await q(client, 'POST', '/queue/counters/3/call-next')).body).toMatchObject({ ticket: { number: 'A001' } });
    expect((await q(client, 'POST', '/queue/tickets', { serviceId: 'nope' })).body).toMatchObject({ error: 'unknown-service', messageVi: 'Không có dịch vụ nope' });

    // The host goes away.
    await host.stop();
    const offline = [];
    for (let i = 0; i < 3; i++) {
      const t = await q(client, 'POST', '/queue/tickets', { serviceId: 'land' });
      expect(t.status).toBe(201);
      expect(t.body).toMatchObject({ offline: true, notice: { code: 'issued-offline' } });
      offline.push(t.body.number);
    }
    // Reserve numbers come from the top of the range, apart from the host's.
    expect(offline).toEqual(['A997', 'A998', 'A999']);
    numbers.push(...offline);
    expect(kioskPrinter.jobs.map((j) => j.data.number)).toEqual(['A001', 'A997', 'A998', 'A999']);
    const exhausted = await q(client, 'POST', '/queue/tickets', { serviceId: 'land' });
    expect(exhausted).toMatchObject({ status: 503, body: { error: 'queue-host-unreachable', messageVi: expect.stringContaining('hết số dự phòng') } });
    expect((await q(client, 'POST', '/queue/tickets', { serviceId: 'civil', priority: 'elderly' })).body).toMatchObject({ number: 'B997', offline: true });
    numbers.push('B997');

    expect(await q(client, 'GET', '/queue/state')).toMatchObject({ status: 503, body: { error: 'queue-host-unreachable', messageVi: 'Không kết nối được máy chủ xếp hàng' } });
    const health = (await q(client, 'GET', '/health')).body;
    expect(health.status).toBe('degraded');
    expect(health.checks.queue).toMatchObject({ ok: false, messageVi: expect.stringContaining('Không kết nối được máy chủ xếp hàng') });
    const link = (await q(client, 'GET', '/queue/link')).body;
    expect(link).toMatchObject({ reachable: false, pendingSync: 4, notice: { code: 'issuing-offline' } });

    // The host comes back on the same address with its database.
    host = await startAgent({ ...hostCfg, agent: { ...hostCfg.agent, listen: { host: '127.0.0.1', port } } }, { listen: true });
    started.push(host);
    hostPrinter.attach(host);
    await expect
      .poll(async () => (await q(client, 'GET', '/queue/link')).body.pendingSync, { timeout: 10_000 })
      .toBe(0)
      .catch((e) => {
        // The client's log says why the host refused the offline tickets.
        console.log(LOG.slice(-5).join(''));
        throw e;
      });
    expect((await q(client, 'GET', '/health')).body.status).toBe('ok');

    const state = (await q(host, 'GET', '/queue/state')).body;
    expect(state.services.map((s: { waiting: number; priorityWaiting: number }) => [s.waiting, s.priorityWaiting])).toEqual([
      [3, 0],
      [1, 1],
    ]);
    // New numbers never collide with those issued offline.
    for (let i = 0; i < 3; i++) numbers.push((await q(client, 'POST', '/queue/tickets', { serviceId: 'land' })).body.number);
    numbers.push((await q(host, 'POST', '/queue/tickets', { serviceId: 'land', print: false })).body.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    const onHost = host.ctx.db.prepare('SELECT number FROM queue_tickets ORDER BY number').pluck().all();
    expect(onHost).toEqual([...numbers].sort());
    const issuedEvents = host.ctx.db.prepare("SELECT subject FROM outbox WHERE type = 'hcc.queue.ticket.issued'").pluck().all();
    expect([...issuedEvents].sort()).toEqual([...numbers].sort());
    // The offline tickets are called in the order they were issued, before later ones.
    expect((await q(client, 'POST', '/queue/counters/3/call-next')).body.ticket.number).toBe('A997');
  }, 60_000);

  it('a host that lost its database refuses the offline tickets: set aside and shown to staff', async () => {
    const base = testConfig();
    const tokens = { tokens: [{ name: 'kiosk', token: TOKEN, scopes: ['queue'] }] };
    const first = await startAgent(testConfig({ security: tokens }), { listen: true });
    started.push(first);
    const port = Number(new URL(first.url).port);
    const client = await startAgent(
      testConfig({ agent: { id: 'kiosk-2' }, queue: { ...base.queue, role: 'client', hostUrl: first.url, token: TOKEN, printing: { enabled: false }, client: { checkIntervalMs: 200, timeoutMs: 1000, blockSize: 2 } } }),
    );
    started.push(client);
    const link = async () => (await client.fastify.inject({ url: '/api/v1/queue/link', headers: { host: '127.0.0.1' } })).json();
    await expect.poll(async () => (await link()).blocks[0].remaining, { timeout: 10_000 }).toBe(2);
    await first.stop();
    const t = await client.fastify.inject({ method: 'POST', url: '/api/v1/queue/tickets', payload: { serviceId: 'land' }, headers: { host: '127.0.0.1' } });
    expect(t.json()).toMatchObject({ number: 'A998', offline: true });

    const fresh = testConfig({ security: tokens });
    const second = await startAgent({ ...fresh, agent: { ...fresh.agent, listen: { host: '127.0.0.1', port } } }, { listen: true });
    started.push(second);
    await expect.poll(async () => (await link()).refusedSync, { timeout: 10_000 }).toBe(1);
    expect(await link()).toMatchObject({ reachable: true, pendingSync: 0, notice: { code: 'offline-tickets-refused', messageVi: expect.stringContaining('gọi các số này thủ công') } });
    const health = (await client.fastify.inject({ url: '/api/v1/health', headers: { host: '127.0.0.1' } })).json();
    expect(health).toMatchObject({ status: 'degraded', checks: { queue: { ok: false } } });
    // The new host numbers its blocks from 1 again: the kiosk takes them, voiding the old block of that id.
    await expect.poll(async () => (await link()).blocks.map((b: { remaining: number }) => b.remaining), { timeout: 10_000 }).toEqual([2, 2]);
    expect(LOG.join('\n')).not.toMatch(/UNIQUE constraint/);
  }, 60_000);

  it('a ticket the host cannot take (a priority it does not offer) is set aside; the others still reach its line', async () => {
    const base = testConfig();
    const tokens = { tokens: [{ name: 'kiosk', token: TOKEN, scopes: ['queue'] }] };
    let host = await startAgent(testConfig({ security: tokens }), { listen: true });
    started.push(host);
    const port = Number(new URL(host.url).port);
    const hostDir = host.ctx.config.agent.dataDir;
    const veteran = { id: 'veteran', name: 'Cựu chiến binh', nameEn: 'Veteran' };
    const kioskQueue = { ...base.queue, role: 'client', hostUrl: host.url, token: TOKEN, printing: { enabled: false }, client: { checkIntervalMs: 200, timeoutMs: 1000, blockSize: 4 } };
    const client = await startAgent(testConfig({ agent: { id: 'kiosk-3' }, queue: { ...kioskQueue, priority: { ...base.queue.priority, categories: [...base.queue.priority.categories, veteran] } } }));
    started.push(client);
    const inject = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => (await client.fastify.inject({ method, url: `/api/v1${url}`, payload, headers: { host: '127.0.0.1' } })).json();
    await expect.poll(async () => (await inject('GET', '/queue/link')).blocks[0].remaining, { timeout: 10_000 }).toBe(4);
    await host.stop();
    const numbers: string[] = [];
    for (const priority of [undefined, 'veteran', undefined]) numbers.push((await inject('POST', '/queue/tickets', { serviceId: 'land', ...(priority ? { priority } : {}) })).number);

    const cfg = testConfig({ security: tokens, agent: { dataDir: hostDir } });
    host = await startAgent({ ...cfg, agent: { ...cfg.agent, listen: { host: '127.0.0.1', port } } }, { listen: true });
    started.push(host);
    await expect.poll(async () => (await inject('GET', '/queue/link')).pendingSync, { timeout: 10_000 }).toBe(0);
    expect(await inject('GET', '/queue/link')).toMatchObject({ refusedSync: 1, notice: { code: 'offline-tickets-refused' } });
    const called = [];
    for (let i = 0; i < 2; i++) called.push((await host.fastify.inject({ method: 'POST', url: '/api/v1/queue/counters/1/call-next', headers: { host: '127.0.0.1' } })).json().ticket?.number);
    expect(called).toEqual([numbers[0], numbers[2]]);
  }, 60_000);
});

describe('queue client relaying the host\'s refusals', () => {
  it('answers with the host\'s status, code and texts, a kind of refusal or not', async () => {
    const base = testConfig();
    const host = await startAgent(testConfig({ security: { tokens: [{ name: 'kiosk', token: TOKEN, scopes: ['queue'] }] } }), { listen: true });
    const kiosk = (token: string) =>
      startAgent(testConfig({ agent: { id: `kiosk-${token}` }, queue: { ...base.queue, role: 'client', hostUrl: host.url, token, printing: { enabled: false }, client: { checkIntervalMs: 60_000, timeoutMs: 1000 } } }));
    const good = await kiosk(TOKEN);
    const bad = await kiosk('not-the-token');
    try {
      const ask = async (a: TestAgent, payload: Record<string, unknown>) => {
        const res = await a.fastify.inject({ method: 'POST', url: '/api/v1/queue/tickets', payload, headers: { host: '127.0.0.1' } });
        return { status: res.statusCode, body: res.json() };
      };
      expect(await ask(good, { serviceId: 'land', priority: 'vip' })).toEqual({
        status: 400,
        body: { error: 'unknown-priority', message: 'queue host: priority category vip is not configured', messageVi: 'Không có đối tượng ưu tiên vip' },
      });
      expect(await ask(bad, { serviceId: 'land' })).toEqual({
        status: 401,
        body: { error: 'unauthorized', message: 'queue host: Unknown or revoked token', messageVi: 'Mã truy cập không hợp lệ' },
      });
    } finally {
      for (const a of [bad, good, host]) await a.cleanup();
    }
  }, 30_000);
});
