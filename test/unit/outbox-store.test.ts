/** Outbox store and limits: sequence, held subjects, pruning, the disk cap alarm, SQLITE_FULL. */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { OutboxService } from '../../src/outbox/service.ts';
import { Events } from '../../src/events.ts';
import { EventBus } from '../../src/bus.ts';
import { Health } from '../../src/health.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { tempDir, testConfig } from '../helpers/agent.ts';
import { anyEvents } from '../helpers/events.ts';

describe('outbox store and limits', () => {
  let db: Db;
  let dir: string;
  let svc: OutboxService | null = null;
  afterEach(async () => {
    await svc?.stop();
    svc = null;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function setup(outbox: Record<string, number> = {}, central: Record<string, unknown> = { transport: 'none' }) {
    dir = tempDir();
    db = openDatabase(dir);
    const store = new OutboxStore(db);
    store.start();
    const log = pino({ level: 'silent' });
    const bus = new EventBus(log);
    const live: CloudEvent[] = [];
    bus.subscribe((e) => live.push(e));
    const events = new Events(db, bus, store, 'urn:hcc:s:a');
    const health = new Health();
    const config = testConfig({ agent: { dataDir: dir }, queue: { role: 'host', services: [], counters: [] }, devices: [], central: { ...central, outbox } });
    svc = new OutboxService(config, store, events, health, log);
    return { store, events: anyEvents(events), health, live, svc };
  }

  it('numbers events with an increasing sequence and stores them without it', async () => {
    const { store, events } = setup();
    const a = events.record('hcc.test', 'X', { n: 1 });
    const b = events.record('hcc.test', 'X', { n: 2 });
    expect(Number(b.sequence)).toBe(Number(a.sequence) + 1);
    const [ea, eb] = store.nextBatch(10, 1 << 20);
    expect(JSON.parse(ea.json)).toEqual(a);
    expect(JSON.parse(eb.json)).toEqual(b);
    // a rolled-back transaction leaves nothing behind
    expect(() => events.transaction((tx) => { tx.emit('hcc.test', 'Y', {}); throw new Error('boom'); })).toThrow('boom');
    expect(store.counts().pending).toBe(2);
    // live-only events are not stored
    events.transaction((tx) => tx.emit('hcc.test', 'Z', {}, { forward: false }));
    expect(store.counts().pending).toBe(2);
  });

  it('prunes only delivered events older than the retention', async () => {
    const { store, events, svc } = setup({ retentionHours: 1 });
    for (let i = 0; i < 6; i++) events.record('hcc.test', `S${i}`, { pad: 'x'.repeat(100) });
    const batch = store.nextBatch(10, 1 << 20);
    const now = Date.now();
    store.markDelivered([batch[0].seq, batch[1].seq], now - 2 * 3_600_000);
    store.markDelivered([batch[2].seq], now - 10 * 60_000);
    store.markDead(batch[3].seq, 'HTTP 400');
    const before = store.bytes;
    expect(svc.prune(now)).toBe(2);
    expect(store.counts()).toMatchObject({ delivered: 1, dead: 1, pending: 2 });
    expect(store.bytes).toBeLessThan(before);
  });

  it('above the disk cap: health degraded, an alarm event, new events still stored', async () => {
    const { events, health, live, svc, store } = setup({ maxBytes: 2048 });
    await svc.start();
    expect(health.report().status).toBe('ok');
    for (let i = 0; i < 30; i++) events.record('hcc.test', `S${i}`, { pad: 'x'.repeat(100) });
    await new Promise((r) => setImmediate(r));
    const r = health.report();
    expect(r.status).toBe('degraded');
    expect(r.checks.outbox.message).toMatch(/above its .* cap/);
    expect(r.checks.outbox.messageVi).toMatch(/vượt mức/);
    const alarms = live.filter((e) => e.type === 'hcc.device.status' && e.subject === 'outbox');
    expect(alarms).toHaveLength(1);
    expect(alarms[0].data).toMatchObject({ device: 'outbox', state: 'error', code: 'outbox-over-cap' });
    expect(alarms[0].sequence).toBeDefined(); // stored and forwarded like any event
    expect(store.counts().pending).toBe(31);
    expect(svc.status()).toMatchObject({ overCap: true, capBytes: 2048 });
  });

  it('SQLITE_FULL: health degraded with a live alarm, nothing stored is lost, recovers when space returns', async () => {
    const { events, health, live, svc, store } = setup();
    await svc.start();
    for (let i = 0; i < 20; i++) events.record('hcc.test', `S${i}`, { i });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    let full: unknown = null;
    for (let i = 0; i < 200 && !full; i++) {
      try {
        events.record('hcc.test', 'BIG', { pad: 'y'.repeat(4000) });
      } catch (err) {
        full = err;
      }
    }
    expect((full as { code?: string }).code).toBe('SQLITE_FULL');
    expect(svc.status().diskFullSince).not.toBeNull();
    const r = health.report();
    expect(r.status).toBe('degraded');
    expect(r.checks.outbox.message).toMatch(/disk is full/);
    (svc as unknown as { maintain(p: boolean): void }).maintain(false);
    expect(live.some((e) => e.subject === 'outbox' && (e.data as { code: string }).code === 'disk-full' && e.sequence === undefined)).toBe(true);
    const kept = store.counts().pending;
    expect(kept).toBeGreaterThanOrEqual(20);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    db.pragma('max_page_count = 1073741823');
    events.record('hcc.test', 'after', {});
    expect(svc.status().diskFullSince).toBeNull();
    expect(store.counts().pending).toBe(kept + 1);
    expect(health.report().checks.outbox.ok).toBe(true);
  });

  it('a bad central URL does not stop the agent: health says why, events wait', async () => {
    const { events, health, svc } = setup({}, { transport: 'http', http: { url: 'not a url' } });
    await svc.start();
    events.record('hcc.test', 'X', {});
    const r = health.report();
    expect(r.status).toBe('degraded');
    expect(r.checks.outbox.message).toBe('events are not forwarded: central.http.url is not a valid URL: "not a url"');
    expect(svc.status()).toMatchObject({ state: 'disabled', pending: 1, lastError: 'central.http.url is not a valid URL: "not a url"' });
  });
});
