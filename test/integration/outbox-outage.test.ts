/**
 * A 24-hour outage of the central side, on a fake clock, against a real loopback HTTP receiver:
 * the relay keeps trying (never more than its backoff cap apart), the outbox shows the age and
 * the error, and once the central side is back every event arrives in order per subject.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { OutboxService } from '../../src/outbox/service.ts';
import { HttpTransport } from '../../src/outbox/transports/http.ts';
import { Receiver } from '../../src/outbox/receiver.ts';
import { Events } from '../../src/events.ts';
import { EventBus } from '../../src/bus.ts';
import { Health } from '../../src/health.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { tempDir, testConfig } from '../helpers/agent.ts';
import { assertDeliveredInOrder } from './outbox-helpers.ts';
import { FakeClock } from '../helpers/clock.ts';
import { anyEvents } from '../helpers/events.ts';

const DAY = 24 * 3_600_000;
const CAP = 300_000;

describe('24-hour central outage (fake clock)', () => {
  let db: Db | null = null;
  let dir = '';
  let svc: OutboxService | null = null;
  let r: Receiver | null = null;
  afterEach(async () => {
    await svc?.stop();
    await r?.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('retries for a day within the cap and then delivers everything in order', async () => {
    const clock = new FakeClock();
    const outageEnd = clock.now() + DAY;
    const attemptsAt: number[] = [];
    r = await new Receiver({ hmacSecret: 's3cret', behave: () => { attemptsAt.push(clock.now()); return clock.now() < outageEnd ? { status: 503 } : undefined; } }).start();
    dir = tempDir();
    db = openDatabase(dir);
    const store = new OutboxStore(db);
    store.start();
    const log = pino({ level: 'silent' });
    const events = new Events(db, new EventBus(log), store, 'urn:hcc:site:desk');
    const health = new Health();
    const config = testConfig({ agent: { dataDir: dir }, queue: { role: 'host', services: [], counters: [] }, devices: [], central: { transport: 'http', relay: { backoffBaseMs: 1000, backoffMaxMs: CAP } } });
    const transport = new HttpTransport({ url: r.url, token: '', hmacSecret: 's3cret', mode: 'batch', caFile: '', timeoutMs: 2000, source: events.source });
    svc = new OutboxService(config, store, events, health, log, { clock, transport });
    await svc.start();

    const produced: CloudEvent[] = [];
    const produce = (n: number) => { for (let i = 0; i < n; i++) produced.push(anyEvents(events).record('hcc.dossier.received', `000.00.21.H30-261122-000${produced.length % 5}`, { i: produced.length })); };
    produce(50);
    let hour = 0;
    // Drive time: let real I/O settle, then jump to the relay's next timer; new events every few hours.
    while (r.events.length < 50 + 10 * 8) {
      await new Promise((res) => setTimeout(res, 2));
      const t = clock.timers[0];
      if (t && !clock.advanceToNext()) break;
      if (clock.now() - (outageEnd - DAY) > hour * 3 * 3_600_000 && hour < 8) {
        hour++;
        produce(10);
      }
      if (clock.now() > outageEnd + DAY) throw new Error('not delivered a day after the outage ended');
    }
    assertDeliveredInOrder(r, produced);
    const during = attemptsAt.filter((t) => t < outageEnd);
    // Kept trying all day, never more than the cap apart (full jitter averages cap/2).
    expect(during.length).toBeGreaterThan(DAY / CAP);
    for (let i = 1; i < during.length; i++) expect(during[i] - during[i - 1]).toBeLessThanOrEqual(CAP);
    // Delivered soon after the central side came back.
    expect(attemptsAt.find((t) => t >= outageEnd)! - outageEnd).toBeLessThanOrEqual(CAP);
    expect(r.rejected).toBe(0);
  }, 60000);

  it('shows the outage in its status while it lasts', async () => {
    const clock = new FakeClock();
    r = await new Receiver({ behave: () => ({ status: 500, body: 'down for maintenance' }) }).start();
    dir = tempDir();
    db = openDatabase(dir);
    const store = new OutboxStore(db);
    store.start();
    const log = pino({ level: 'silent' });
    const events = new Events(db, new EventBus(log), store, 'urn:hcc:site:desk');
    const config = testConfig({ agent: { dataDir: dir }, queue: { role: 'host', services: [], counters: [] }, devices: [], central: { transport: 'http' } });
    const transport = new HttpTransport({ url: r.url, token: '', hmacSecret: '', mode: 'batch', caFile: '', timeoutMs: 2000, source: events.source });
    svc = new OutboxService(config, store, events, new Health(), log, { clock, transport });
    await svc.start();
    anyEvents(events).record('hcc.test', 'X', {});
    const sixHoursOn = clock.now() + 6 * 3_600_000;
    while (clock.now() < sixHoursOn) {
      await new Promise((res) => setTimeout(res, 2));
      if (clock.timers.length) clock.advanceToNext();
    }
    const st = svc.status();
    expect(st.pending).toBe(1);
    expect(st.oldestPendingAgeMs).toBeGreaterThan(5 * 3_600_000);
    expect(st.state).toBe('backoff');
    expect(st.backoffMs).toBeLessThanOrEqual(300_000);
    expect(st.lastError).toBe('HTTP 500 Internal Server Error: down for maintenance');
  }, 60000);
});
