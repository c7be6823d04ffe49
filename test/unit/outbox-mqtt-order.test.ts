/**
 * MQTT transport with a fake MQTT.js client: pipelined across subjects, at most one unacknowledged
 * PUBLISH per subject, so a PUBACK failure (retryable or refusal) never lets a later event of the
 * same subject reach the central side first (or past its dead letter).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { OutboxStore, type OutboundEvent } from '../../src/outbox/store.ts';
import { Relay } from '../../src/outbox/relay.ts';
import { MqttTransport } from '../../src/outbox/transports/mqtt.ts';
import { makeEvent, type CloudEvent } from '../../src/outbox/envelope.ts';
import type { Arrival } from '../../src/outbox/receiver.ts';
import { tempDir } from '../helpers/agent.ts';
import { assertDeliveredInOrder, eventWriter, until } from '../integration/outbox-helpers.ts';

const log = pino({ level: 'silent' });
type Cb = (err?: Error & { code?: number }) => void;

/** A broker stand-in: `answer` decides each PUBACK (undefined = success); accepted events are recorded like a receiver. */
class FakeClient {
  connected = true;
  disconnected = false;
  published: CloudEvent[] = [];
  pending: { ev: CloudEvent; cb: Cb }[] = [];
  /** When false, PUBACKs wait in `pending` until `ackAll`. */
  auto = true;
  sync = false;
  answer: (ev: CloudEvent) => number | undefined = () => undefined;
  readonly events: CloudEvent[] = [];
  readonly arrivals: Arrival[] = [];
  private readonly seen = new Set<string>();

  publish(_topic: string, json: string, _o: unknown, cb: Cb): void {
    const ev = JSON.parse(json) as CloudEvent;
    this.published.push(ev);
    if (this.auto) this.ack(ev, cb);
    else this.pending.push({ ev, cb });
  }

  endAsync(): Promise<void> {
    this.connected = false;
    this.disconnected = true;
    return Promise.resolve();
  }

  ackAll(): void {
    const p = this.pending.splice(0);
    for (const x of p) this.ack(x.ev, x.cb);
  }

  private ack(ev: CloudEvent, cb: Cb): void {
    const rc = this.answer(ev);
    const run = () => {
      if (rc !== undefined) return cb(Object.assign(new Error(`Publish error: rc 0x${rc.toString(16)}`), { code: rc }));
      const duplicate = this.seen.has(ev.id);
      this.arrivals.push({ source: ev.source, id: ev.id, subject: ev.subject, type: ev.type, sequence: (ev as { sequence?: string }).sequence, duplicate } as Arrival);
      if (!duplicate) {
        this.seen.add(ev.id);
        this.events.push(ev);
      }
      cb();
    };
    if (this.sync) run();
    else setImmediate(run);
  }
}

function transport(client: FakeClient, ackTimeoutMs = 2000): MqttTransport {
  const t = new MqttTransport({ url: 'mqtt://x', topicPrefix: 'hcc', site: 's', agentId: 'a', clientId: '', username: '', password: '', caFile: '', ackTimeoutMs }, log);
  (t as unknown as { client: FakeClient }).client = client;
  // The relay starts its transport: keep the fake client instead of connecting MQTT.js.
  t.start = () => undefined;
  return t;
}

function outbound(seq: number, subject: string | null, type = 'hcc.test'): OutboundEvent {
  const ev = makeEvent('urn:hcc:s:a', type, { seq }, subject ?? undefined);
  const json = JSON.stringify({ ...ev, sequence: String(seq).padStart(16, '0') });
  return { seq, id: ev.id, type, subject, json, size: json.length };
}

const seqOf = (e: CloudEvent) => Number((e as { sequence?: string }).sequence);

describe('MqttTransport.send: one unacknowledged PUBLISH per subject', () => {
  it('pipelines across subjects (and events without one) but waits for the PUBACK within a subject', async () => {
    const c = new FakeClient();
    c.auto = false;
    const batch = [outbound(1, 'A'), outbound(2, 'A'), outbound(3, 'B'), outbound(4, null), outbound(5, null), outbound(6, 'B'), outbound(7, 'C')];
    const p = transport(c).send(batch, new AbortController().signal);
    expect(c.published.map(seqOf)).toEqual([1, 3, 4, 5, 7]);
    c.ackAll();
    await until(() => c.published.length === 7);
    expect(c.published.map(seqOf)).toEqual([1, 3, 4, 5, 7, 2, 6]);
    c.ackAll();
    const r = await p;
    expect(r.retry).toBeUndefined();
    expect([...r.delivered].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('after a refusal publishes nothing more of that subject: dead letter, the rest stays pending, no retry', async () => {
    const c = new FakeClient();
    c.answer = (ev) => (seqOf(ev) === 2 ? 0x87 : undefined);
    const batch = [outbound(1, 'A'), outbound(2, 'A'), outbound(3, 'A'), outbound(4, 'B'), outbound(5, 'A'), outbound(6, 'B')];
    const r = await transport(c).send(batch, new AbortController().signal);
    expect(c.published.map(seqOf).sort()).toEqual([1, 2, 4, 6]);
    expect(r.dead).toEqual([{ seq: 2, error: 'mqtt PUBACK 0x87 not authorized' }]);
    expect([...r.delivered].sort()).toEqual([1, 4, 6]);
    expect(r.retry).toBeUndefined();
  });

  it('after a retryable PUBACK publishes nothing more of that subject and asks for a retry', async () => {
    const c = new FakeClient();
    c.answer = (ev) => (seqOf(ev) === 1 ? 0x97 : undefined);
    const batch = [outbound(1, 'A'), outbound(2, 'A'), outbound(3, 'B'), outbound(4, 'B')];
    const r = await transport(c).send(batch, new AbortController().signal);
    expect(c.published.map(seqOf).sort()).toEqual([1, 3, 4]);
    expect([...r.delivered].sort()).toEqual([3, 4]);
    expect(r.dead).toEqual([]);
    expect(r.retry?.error).toMatch(/mqtt: Publish error/);
  });

  it('holds a subject back also when the client answers synchronously', async () => {
    const c = new FakeClient();
    c.sync = true;
    c.answer = (ev) => (seqOf(ev) === 1 ? 0x87 : seqOf(ev) === 3 ? 0x80 : undefined);
    const batch = [outbound(1, 'A'), outbound(2, 'A'), outbound(3, 'B'), outbound(4, 'B'), outbound(5, 'C'), outbound(6, 'C')];
    const r = await transport(c).send(batch, new AbortController().signal);
    expect(c.published.map(seqOf)).toEqual([1, 3, 5, 6]);
    expect(r.dead).toEqual([{ seq: 1, error: 'mqtt PUBACK 0x87 not authorized' }]);
    expect(r.delivered).toEqual([5, 6]);
    expect(r.retry).toBeDefined();
  });

  it('on a PUBACK timeout publishes no waiting event and asks for a retry', async () => {
    const c = new FakeClient();
    c.auto = false;
    const batch = [outbound(1, 'A'), outbound(2, 'A'), outbound(3, 'B')];
    const r = await transport(c, 50).send(batch, new AbortController().signal);
    expect(r.retry?.error).toMatch(/no PUBACK within 50 ms/);
    expect(r.delivered).toEqual([]);
    c.ackAll(); // late acks change nothing and release nothing
    await new Promise((res) => setImmediate(res));
    expect(c.published.map(seqOf)).toEqual([1, 3]);
  });
});

describe('Relay over MQTT (fake client): order per subject survives PUBACK failures', () => {
  let db: Db;
  let dir: string;
  let relay: Relay | null = null;

  afterEach(async () => {
    await relay?.stop();
    relay = null;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function setup() {
    dir = tempDir();
    db = openDatabase(dir);
    const store = new OutboxStore(db);
    store.start();
    const { produced, add } = eventWriter(db, store);
    return { store, produced, add };
  }

  it('a PUBACK 0x97 (quota exceeded) once: issued, called, completed still arrive in that order', async () => {
    const { store, produced, add } = setup();
    for (const ty of ['hcc.queue.ticket.issued', 'hcc.queue.ticket.called', 'hcc.queue.ticket.completed']) {
      add(ty, 'A001');
      add(ty, 'A002');
    }
    const c = new FakeClient();
    let first = true;
    c.answer = () => {
      if (!first) return undefined;
      first = false;
      return 0x97;
    };
    relay = new Relay(store, transport(c), { maxEvents: 500, maxBytes: 1 << 20, backoffBaseMs: 20, backoffMaxMs: 50 }, log);
    await relay.start();
    await until(() => store.counts().delivered === 6, 5000);
    expect(c.events.filter((e) => e.subject === 'A001').map((e) => e.type)).toEqual(['hcc.queue.ticket.issued', 'hcc.queue.ticket.called', 'hcc.queue.ticket.completed']);
    assertDeliveredInOrder(c, produced);
    expect(store.counts()).toMatchObject({ pending: 0, dead: 0 });
  });

  it('a refusal (0x87): nothing of that subject after its dead letter arrives; other subjects flow', async () => {
    const { store, produced, add } = setup();
    const d1 = add('hcc.dossier.received', 'D1');
    add('hcc.dossier.received', 'D2');
    add('hcc.dossier.result.returned', 'D1');
    add('hcc.dossier.result.returned', 'D2');
    const c = new FakeClient();
    c.answer = (ev) => (ev.id === d1.id ? 0x87 : undefined);
    relay = new Relay(store, transport(c), { maxEvents: 500, maxBytes: 1 << 20, backoffBaseMs: 20, backoffMaxMs: 50 }, log);
    await relay.start();
    await until(() => store.counts().delivered === 2 && store.counts().dead === 1, 5000);
    await until(() => relay!.status().state === 'idle', 5000); // nothing left it may send: anything wrongly sent is sent by now
    expect(store.counts()).toMatchObject({ pending: 1, held: 1, dead: 1, delivered: 2 });
    expect(relay.status().consecutiveFailures).toBe(0);
    assertDeliveredInOrder(c, produced.filter((e) => e.subject !== 'D1'));
  });
});
