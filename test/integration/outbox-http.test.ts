/**
 * The relay against a loopback HTTP receiver that fails on purpose: 500s, 429 with Retry-After,
 * timeouts, connection resets, slow answers, answers lost after the events were stored. Afterwards
 * every event has arrived, in order per subject, duplicates only with the same id; signatures verified.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { Receiver, type Action } from '../../src/outbox/receiver.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { assertDeliveredInOrder, until } from './outbox-helpers.ts';
import { anyEvents } from '../helpers/events.ts';

const TOKEN = 'central-token-123';
const SECRET = 'hmac-secret-abc';

function centralConfig(r: Receiver, extra: Record<string, unknown> = {}, relay: Record<string, unknown> = {}, more: Record<string, unknown> = {}) {
  return testConfig({
    ...more,
    queue: { role: 'host', services: [], counters: [] },
    devices: [],
    central: {
      transport: 'http',
      http: { url: r.url, statusUrl: r.statusUrl, token: TOKEN, hmacSecret: SECRET, timeoutMs: 400, ...extra },
      relay: { backoffBaseMs: 5, backoffMaxMs: 40, maxEvents: 7, ...relay },
    },
  });
}

/** Emits n events over `subjects` subjects, interleaved, each in its own transaction. */
function produce(agent: TestAgent, n: number, subjects = 5, prefix = 'D'): CloudEvent[] {
  const out: CloudEvent[] = [];
  for (let i = 0; i < n; i++) out.push(anyEvents(agent.ctx.events).record('hcc.test.step', `${prefix}${i % subjects}`, { i }));
  return out;
}

describe('outbox over HTTP', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(behave?: (n: number) => Action | undefined, extra?: Record<string, unknown>, relay?: Record<string, unknown>) {
    const r = await new Receiver({ token: TOKEN, hmacSecret: SECRET, behave: behave ? ({ n }) => behave(n) : undefined }).start();
    cleanups.push(() => r.close());
    const agent = await startAgent(centralConfig(r, extra, relay));
    cleanups.push(() => agent.cleanup());
    return { r, agent };
  }

  it('delivers signed batches in order and shows them delivered', async () => {
    const { r, agent } = await setup();
    const produced = produce(agent, 40);
    await r.waitFor(40);
    assertDeliveredInOrder(r, produced);
    expect(r.rejected).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.requests).toBeGreaterThanOrEqual(Math.ceil(40 / 7)); // batches of at most 7
    await until(() => agent.ctx.outbox.status().delivered === 40);
    const res = await agent.fastify.inject({ url: '/api/v1/outbox', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ pending: 0, delivered: 40, dead: 0, transport: 'http', oldestPendingAgeMs: null });
    const metrics = (await agent.fastify.inject({ url: '/metrics', headers: { host: 'localhost' } })).body;
    expect(metrics).toContain('hcc_outbox_events{state="delivered"} 40');
    expect(metrics).toContain('hcc_outbox_oldest_pending_age_seconds 0');
  });

  it('survives 500s, 429 + Retry-After, resets, timeouts, slow answers and lost answers', async () => {
    const faults: (Action | undefined)[] = [
      { status: 500 },
      { reset: true },
      { status: 429, headers: { 'retry-after': '0' } },
      { hang: true },
      { delayMs: 150 },
      { record: true, reset: true }, // stored, but the agent never learns it: re-sent with the same ids
      { status: 503 },
      { record: true, hang: true },
      { status: 502, body: 'bad gateway' },
    ];
    const { r, agent } = await setup((n) => (n <= faults.length * 2 && n % 2 === 1 ? faults[(n - 1) / 2] : undefined));
    const produced = produce(agent, 120, 7);
    await r.waitFor(120, 30000);
    assertDeliveredInOrder(r, produced);
    expect(r.duplicates).toBeGreaterThan(0); // the lost answers caused re-sends…
    expect(r.rejected).toBe(0);
    await until(() => agent.ctx.outbox.status().pending === 0);
    const st = agent.ctx.outbox.status();
    expect(st.delivered).toBe(120);
    expect(st.lastError).toMatch(/HTTP 502|no answer|ECONNRESET|socket hang up|HTTP 5/);
  });

  it('honours Retry-After over its own short backoff', async () => {
    const { r, agent } = await setup((n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : undefined));
    const t0 = Date.now();
    produce(agent, 3);
    await r.waitFor(3, 10000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('structured mode: one signed application/cloudevents+json POST per event', async () => {
    const { r, agent } = await setup((n) => (n === 3 ? { status: 500 } : undefined), { mode: 'structured' });
    const produced = produce(agent, 10, 3);
    await r.waitFor(10);
    assertDeliveredInOrder(r, produced);
    expect(r.requests).toBe(11);
  });

  it('a refused event becomes a dead letter, holds back its subject only, and can be retried', async () => {
    let refuseBad = true;
    const { r, agent } = await setup();
    r.behave = ({ events }) => (refuseBad && events.some((e) => e.subject === 'BAD') ? { status: 422, body: 'invalid data' } : undefined);
    // One transaction, so the first batch mixes good events and the bad one.
    const produced = anyEvents(agent.ctx.events).transaction((tx) => {
      const out: CloudEvent[] = [];
      for (let i = 0; i < 12; i++) out.push(tx.emit('hcc.test.step', i === 4 ? 'BAD' : `S${i % 3}`, { i }));
      out.push(tx.emit('hcc.test.step', 'BAD', { after: true }));
      return out;
    });
    await until(() => agent.ctx.outbox.status().delivered === 11);
    const host = { host: 'localhost' };
    const st = (await agent.fastify.inject({ url: '/api/v1/outbox', headers: host })).json();
    expect(st).toMatchObject({ pending: 1, held: 1, dead: 1, delivered: 11 });
    const dead = (await agent.fastify.inject({ url: '/api/v1/outbox/dead', headers: host })).json();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ id: produced[4].id, subject: 'BAD' });
    expect(dead[0].error).toMatch(/HTTP 422.*invalid data/);
    expect(JSON.stringify(dead)).not.toContain('"data"');

    expect((await agent.fastify.inject({ method: 'POST', url: '/api/v1/outbox/dead/nope/retry', headers: host })).statusCode).toBe(404);
    refuseBad = false;
    const retry = await agent.fastify.inject({ method: 'POST', url: `/api/v1/outbox/dead/${produced[4].id}/retry`, headers: host });
    expect(retry.statusCode).toBe(202);
    await r.waitFor(13);
    assertDeliveredInOrder(r, produced);
  });

  it('outbox routes need the admin scope', async () => {
    const r = await new Receiver().start();
    cleanups.push(() => r.close());
    const cfg = centralConfig(r, {}, {}, { security: { tokens: [{ name: 'clerk', token: 'clerk-token-1', scopes: ['dossier'] }, { name: 'ops', token: 'ops-token-12', scopes: ['admin'] }] } });
    const agent = await startAgent(cfg);
    cleanups.push(() => agent.cleanup());
    const get = (token: string) => agent.fastify.inject({ url: '/api/v1/outbox', headers: { host: 'localhost', authorization: `Bearer ${token}` } });
    expect((await get('clerk-token-1')).statusCode).toBe(403);
    expect((await get('ops-token-12')).statusCode).toBe(200);
  });
});
