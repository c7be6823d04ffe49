import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { diskCheck } from '../../src/store/disk.ts';

const H = { host: 'localhost' };

describe('disk full (SQLite max_page_count)', () => {
  let a: TestAgent;
  beforeAll(async () => {
    a = await startAgent(testConfig({ queue: { role: 'host', printing: { enabled: false }, services: [{ id: 'land', name: 'Đất đai', nameEn: 'Land', prefix: 'A' }], counters: [{ id: '1', name: 'Quầy 1', services: ['land'] }] } }));
  });
  afterAll(() => a.cleanup());

  const issue = () => a.fastify.inject({ method: 'POST', url: '/api/v1/queue/tickets', headers: H, payload: { serviceId: 'land' } });
  const outboxCount = () => (a.ctx.db.prepare('SELECT COUNT(*) c FROM outbox').get() as { c: number }).c;

  it('refuses writes clearly, keeps what is stored, turns health degraded, and recovers without restart', async () => {
    const before: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await issue();
      expect(r.statusCode).toBe(201);
      before.push(r.json().number);
    }
    const stored = outboxCount();
    const pages = a.ctx.db.pragma('page_count', { simple: true }) as number;
    a.ctx.db.pragma(`max_page_count = ${pages}`);

    // Fill what is left of the last pages, then the refusals come.
    let refused: Awaited<ReturnType<typeof issue>> | null = null;
    for (let i = 0; i < 500 && !refused; i++) {
      const r = await issue();
      if (r.statusCode !== 201) refused = r;
    }
    expect(refused, 'a write must eventually be refused').not.toBeNull();
    expect(refused!.statusCode).toBe(507);
    expect(refused!.json()).toMatchObject({ error: 'storage-full' });
    expect(refused!.json().messageVi).toMatch(/Ổ đĩa/);
    const health = (await a.fastify.inject({ url: '/api/v1/health', headers: H })).json();
    expect(health.status).toBe('degraded');
    expect(outboxCount()).toBeGreaterThanOrEqual(stored);
    expect(a.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The daemon still answers reads.
    expect((await a.fastify.inject({ url: '/api/v1/queue/state', headers: H })).statusCode).toBe(200);

    // Space returns: the next write succeeds and health recovers, without a restart.
    a.ctx.db.pragma('max_page_count = 1073741823');
    const ok = await issue();
    expect(ok.statusCode).toBe(201);
    const again = (await a.fastify.inject({ url: '/api/v1/health', headers: H })).json();
    expect(again.checks.outbox?.ok ?? true).toBe(true);
    const numbers = (a.ctx.db.prepare("SELECT subject FROM outbox WHERE type = 'hcc.queue.ticket.issued'").all() as { subject: string }[]).map((r) => r.subject);
    for (const n of before) expect(numbers).toContain(n);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('warns in health before the disk is full', () => {
    const check = diskCheck('/tmp', 100 * 1048576, (() => ({ bavail: 10, bsize: 4096 })) as never);
    expect(check()).toMatchObject({ ok: false });
    expect(check().messageVi).toMatch(/Ổ đĩa dữ liệu chỉ còn 0 MB/);
    expect(diskCheck('/tmp', 0)().ok).toBe(true);
  });
});
