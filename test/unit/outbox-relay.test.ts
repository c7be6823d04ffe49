/** Relay logic with a fake transport and a fake clock: batching, order, wake-up, backoff, Retry-After, stop. */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { OutboxStore, type OutboundEvent } from '../../src/outbox/store.ts';
import { Relay, fullJitter, type SendResult, type Transport } from '../../src/outbox/relay.ts';
import { makeEvent } from '../../src/outbox/envelope.ts';
import { tempDir } from '../helpers/agent.ts';
import { FakeClock } from '../helpers/clock.ts';

class FakeTransport implements Transport {
  readonly name = 'fake';
  batches: OutboundEvent[][] = [];
  answer: (batch: OutboundEvent[], signal: AbortSignal) => Promise<SendResult> | SendResult = (b) => ({ delivered: b.map((e) => e.seq) });
  async send(batch: OutboundEvent[], signal: AbortSignal): Promise<SendResult> {
    this.batches.push(batch);
    return this.answer(batch, signal);
  }
}

const flush = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

describe('fullJitter', () => {
  it('stays in [0, min(cap, base·2^(n-1)))', () => {
    expect(fullJitter(1, 1000, 300000, () => 0.999)).toBe(999);
    expect(fullJitter(3, 1000, 300000, () => 0.5)).toBe(2000);
    expect(fullJitter(40, 1000, 300000, () => 0.999)).toBe(299700);
    expect(fullJitter(5, 1000, 300000, () => 0)).toBe(0);
  });
});

describe('Relay', () => {
  let db: Db;
  let dir: string;
  let store: OutboxStore;
  let relay: Relay | null = null;
  const log = pino({ level: 'silent' });
  const add = (subject: string, data: unknown = {}) => {
    const ev = makeEvent('urn:hcc:s:a', 'hcc.test', data, subject);
    db.transaction(() => store.append(ev))();
    return ev;
  };

  function setup(opts: Partial<{ maxEvents: number; maxBytes: number }> = {}) {
    dir = tempDir();
    db = openDatabase(dir);
    store = new OutboxStore(db);
    store.start();
    const clock = new FakeClock();
    const t = new FakeTransport();
    relay = new Relay(store, t, { maxEvents: opts.maxEvents ?? 500, maxBytes: opts.maxBytes ?? 1 << 20, backoffBaseMs: 1000, backoffMaxMs: 60000, clock, random: () => 0.999 }, log);
    return { clock, t, relay };
  }

  afterEach(async () => {
    await relay?.stop();
    relay = null;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends batches in sequence order within maxEvents and maxBytes, with sequence set', async () => {
    const { t, relay } = setup({ maxEvents: 4, maxBytes: 600 });
    for (let i = 0; i < 10; i++) add(`S${i % 3}`, { pad: 'x'.repeat(100) });
    await relay.start();
    await flush(20);
    const seqs = t.batches.flat().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs).toHaveLength(10);
    for (const b of t.batches) {
      expect(b.length).toBeLessThanOrEqual(4);
      expect(b.reduce((s, e) => s + e.size, 0)).toBeLessThanOrEqual(600);
      for (const e of b) expect(JSON.parse(e.json)).toMatchObject({ specversion: '1.0', id: e.id, sequence: String(e.seq).padStart(16, '0') });
    }
    expect(store.counts()).toMatchObject({ pending: 0, delivered: 10 });
  });

  it('sleeps on an empty outbox without timers and wakes on the next append', async () => {
    const { t, clock, relay } = setup();
    await relay.start();
    await flush();
    expect(t.batches).toHaveLength(0);
    expect(clock.timers).toHaveLength(0); // no polling
    expect(relay.status().state).toBe('idle');
    add('A');
    await flush();
    expect(t.batches).toHaveLength(1);
    expect(store.counts().delivered).toBe(1);
  });

  it('backs off exponentially (capped, full jitter), keeps order, then resets', async () => {
    const { t, clock, relay } = setup();
    let fail = 5;
    t.answer = (b) => (fail-- > 0 ? { delivered: [], retry: { error: 'HTTP 503' } } : { delivered: b.map((e) => e.seq) });
    add('A');
    add('A');
    await relay.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await flush();
      delays.push(clock.timers[0].delay);
      expect(relay.status()).toMatchObject({ state: 'backoff', consecutiveFailures: i + 1, lastError: 'HTTP 503' });
      clock.advanceToNext();
    }
    await flush();
    expect(delays).toEqual([999, 1998, 3996, 7992, 15984]);
    expect(store.counts()).toMatchObject({ pending: 0, delivered: 2 });
    expect(relay.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0, backoffMs: 0 });
    for (const b of t.batches) expect(b.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('honours a Retry-After longer than its own backoff', async () => {
    const { t, clock, relay } = setup();
    t.answer = () => ({ delivered: [], retry: { error: 'HTTP 429', retryAfterMs: 120000 } });
    add('A');
    await relay.start();
    await flush();
    expect(clock.timers[0].delay).toBe(120000);
    expect(relay.status().backoffMs).toBe(120000);
  });

  it('isolates the bad event of a refused batch; later events of its subject are held', async () => {
    const { t, relay } = setup();
    const evs = ['A', 'B', 'A', 'C', 'A'].map((s) => add(s));
    t.answer = (b) => (b.some((e) => e.id === evs[2].id) ? { delivered: [], refused: 'HTTP 400 bad' } : { delivered: b.map((e) => e.seq) });
    await relay.start();
    await flush(20);
    expect(store.counts()).toMatchObject({ delivered: 3, dead: 1, pending: 1, held: 1 });
    expect(store.deadEvents()[0]).toMatchObject({ id: evs[2].id, error: 'HTTP 400 bad' });
    t.answer = (b) => ({ delivered: b.map((e) => e.seq) });
    expect(store.retryDead(evs[2].id)).toBe(true);
    relay.wake();
    await flush(20);
    expect(store.counts()).toMatchObject({ delivered: 5, dead: 0, pending: 0 });
    // A's events went out in order: seq 1, then 3 (after retry), then 5.
    const aOrder = t.batches.flat().filter((e) => e.subject === 'A').map((e) => e.seq);
    expect(aOrder.filter((s, i) => aOrder.indexOf(s) === i)).toEqual([1, 3, 5]);
  });

  it('stops in the middle of a batch: the batch stays pending and goes out after restart', async () => {
    const { t, relay } = setup();
    let started = false;
    t.answer = (_b, signal) => new Promise((resolve) => {
      started = true;
      signal.addEventListener('abort', () => resolve({ delivered: [], retry: { error: 'stopped' } }));
    });
    add('A');
    add('B');
    await relay.start();
    await flush();
    expect(started).toBe(true);
    await relay.stop();
    expect(store.counts()).toMatchObject({ pending: 2, delivered: 0 });
    expect(relay.status().consecutiveFailures).toBe(0); // stopping is not a central failure
    t.answer = (b) => ({ delivered: b.map((e) => e.seq) });
    await relay.start();
    await flush();
    expect(store.counts()).toMatchObject({ pending: 0, delivered: 2 });
  });

  it('per-event dead letters from the transport (e.g. MQTT PUBACK refusals)', async () => {
    const { t, relay } = setup();
    add('A');
    add('B');
    t.answer = (b) => ({ delivered: [b[0].seq], dead: [{ seq: b[1].seq, error: 'mqtt PUBACK 0x87 not authorized' }] });
    await relay.start();
    await flush();
    expect(store.counts()).toMatchObject({ delivered: 1, dead: 1, pending: 0 });
  });
});
