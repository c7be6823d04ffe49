/**
 * Answers about the link, the credentials or the address (a desk clock outside the receiver's HMAC
 * window, a wrong URL, a proxy wanting credentials…) keep every event pending and are retried until
 * fixed; only a refusal of the content itself (400, 422…) makes a dead letter, of that event only.
 * Against the real reference receiver over loopback HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { OutboxService } from '../../src/outbox/service.ts';
import { HttpTransport } from '../../src/outbox/transports/http.ts';
import { Receiver, type Action } from '../../src/outbox/receiver.ts';
import { Events } from '../../src/events.ts';
import { EventBus } from '../../src/bus.ts';
import { Health } from '../../src/health.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { tempDir, testConfig } from '../helpers/agent.ts';
import { assertDeliveredInOrder, until } from './outbox-helpers.ts';
import { anyEvents } from '../helpers/events.ts';

const TOKEN = 'central-token-123';
const SECRET = 'hmac-secret-abc';
const SOURCE = 'urn:hcc:test-site:test-desk';

describe('outbox: link refusals are retried, content refusals are dead letters', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(opts: { now?: () => number; behave?: (req: { n: number; events: CloudEvent[] }) => Action | undefined } = {}) {
    const r = await new Receiver({ token: TOKEN, hmacSecret: SECRET, behave: opts.behave }).start();
    cleanups.push(() => r.close());
    const dir = tempDir();
    const db: Db = openDatabase(dir);
    cleanups.push(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const store = new OutboxStore(db);
    store.start();
    const log = pino({ level: 'silent' });
    const events = new Events(db, new EventBus(log), store, SOURCE);
    const health = new Health();
    const config = testConfig({ agent: { dataDir: dir }, queue: { role: 'host', services: [], counters: [] }, devices: [], central: { relay: { backoffBaseMs: 5, backoffMaxMs: 40, maxEvents: 5 } } });
    const transport = new HttpTransport({ url: r.url, token: TOKEN, hmacSecret: SECRET, mode: 'batch', caFile: '', timeoutMs: 2000, source: SOURCE, now: opts.now });
    const svc = new OutboxService(config, store, events, health, log, { transport });
    await svc.start();
    cleanups.push(() => svc.stop());
    return { r, svc, events: anyEvents(events), health };
  }

  it('a desk clock 10 min ahead of the receiver: 401s retried, nothing dead; once the clock is right everything arrives in order', async () => {
    let skewMs = 600_000;
    const { r, svc, events, health } = await setup({ now: () => Date.now() + skewMs });
    const produced: CloudEvent[] = [];
    for (let i = 0; i < 12; i++) produced.push(events.record('hcc.test.step', `D${i % 3}`, { i }));
    await until(() => r.rejected >= 4); // several attempts, each refused for its timestamp
    expect(r.events).toHaveLength(0);
    expect(svc.status()).toMatchObject({ pending: 12, dead: 0, held: 0, delivered: 0, linkProblem: 'HTTP 401 Unauthorized' });
    expect(svc.status().lastError).toMatch(/^HTTP 401 Unauthorized: .*x-hcc-timestamp is more than 300 s away/);
    const h = health.report();
    expect(h.status).toBe('degraded');
    expect(h.checks.outbox.message).toMatch(/central system answered "HTTP 401 Unauthorized".*clock/);
    expect(h.checks.outbox.messageVi).toMatch(/HTTP 401 Unauthorized.*đồng hồ/);

    skewMs = 0; // NTP caught up
    await r.waitFor(12, 10000);
    assertDeliveredInOrder(r, produced);
    await until(() => svc.status().delivered === 12);
    expect(svc.status()).toMatchObject({ pending: 0, dead: 0, linkProblem: null });
    expect(health.report().checks.outbox.ok).toBe(true);
  });

  for (const status of [301, 403, 404, 405, 407]) {
    it(`HTTP ${status} keeps the whole batch pending and retries it until the link is fixed`, async () => {
      let failing = true;
      const headers: Record<string, string> = status === 301 ? { location: 'https://new.example/events' } : {};
      const { r, svc, events, health } = await setup({ behave: () => (failing ? { status, headers } : undefined) });
      const produced: CloudEvent[] = [];
      for (let i = 0; i < 8; i++) produced.push(events.record('hcc.test.step', `D${i % 2}`, { i }));
      await until(() => r.requests >= 3);
      expect(svc.status()).toMatchObject({ pending: 8, dead: 0, held: 0 });
      expect(svc.status().lastError).toMatch(new RegExp(`^HTTP ${status} `));
      if (status === 301) expect(svc.status().lastError).toContain('(to https://new.example/events)');
      expect(health.report().checks.outbox.ok).toBe(false);
      failing = false;
      await r.waitFor(8, 10000);
      assertDeliveredInOrder(r, produced);
      await until(() => svc.status().delivered === 8);
      expect(svc.status().dead).toBe(0);
    });
  }

  it('a 400 refusing one event makes only that event a dead letter; its later events wait, the rest arrive', async () => {
    const { r, svc, events, health } = await setup({ behave: ({ events: evs }) => (evs.some((e) => e.subject === 'BAD') ? { status: 400, body: 'field x is invalid' } : undefined) });
    // One transaction: the first batch mixes good events and the bad one.
    const produced = events.transaction((tx) => {
      const out: CloudEvent[] = [];
      for (let i = 0; i < 10; i++) out.push(tx.emit('hcc.test.step', i === 3 ? 'BAD' : `S${i % 3}`, { i }));
      out.push(tx.emit('hcc.test.step', 'BAD', { after: true }));
      return out;
    });
    await until(() => svc.status().delivered === 9);
    await r.waitFor(9);
    expect(svc.status()).toMatchObject({ delivered: 9, dead: 1, held: 1, pending: 1 });
    const dead = svc.store.deadEvents();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ id: produced[3].id, subject: 'BAD' });
    expect(dead[0].error).toMatch(/^HTTP 400 Bad Request: field x is invalid/);
    expect(new Set(r.events.map((e) => e.id))).toEqual(new Set(produced.filter((e) => e.subject !== 'BAD').map((e) => e.id)));
    expect(health.report().checks.outbox.ok).toBe(true); // a dead letter is about one event, not the link
  });
});
