/**
 * Order per subject over a real mosquitto when the broker refuses one event in the middle of a
 * batch (ACL: PUBACK 0x87 not authorized): the later events of that subject must not reach the
 * central side (they wait behind the dead letter), while other subjects keep flowing in order.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { openDatabase } from '../../src/store/db.ts';
import { OutboxStore } from '../../src/outbox/store.ts';
import { Relay } from '../../src/outbox/relay.ts';
import { MqttTransport } from '../../src/outbox/transports/mqtt.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import type { Arrival } from '../../src/outbox/receiver.ts';
import { tempDir } from '../helpers/agent.ts';
import { assertDeliveredInOrder, Broker, eventWriter, freePort, until } from './outbox-helpers.ts';

const DENIED = 'hcc.dossier.rejected';
const ALLOWED = ['hcc.dossier.received', 'hcc.dossier.result.returned', 'hcc.dossier.completed'];

describe('outbox over MQTT: a refused event holds back its subject (real mosquitto, ACL)', () => {
  let broker: Broker;
  let sub: MqttClient;
  const got = { events: [] as CloudEvent[], arrivals: [] as Arrival[] };

  beforeAll(async () => {
    broker = new Broker(await freePort(), (dir) => {
      // Anonymous clients may read everything and publish every type but DENIED.
      writeFileSync(join(dir, 'acl'), ['topic read hcc/#', ...ALLOWED.map((t) => `topic write hcc/+/+/events/${t}`)].join('\n') + '\n');
      return `acl_file ${join(dir, 'acl')}\n`;
    });
    await broker.start();
    sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'central-consumer', protocolVersion: 5 });
    await sub.subscribeAsync('hcc/#', { qos: 1 });
    const seen = new Set<string>();
    sub.on('message', (_topic, payload) => {
      const ev = JSON.parse(payload.toString()) as CloudEvent & { sequence?: string };
      const duplicate = seen.has(ev.id);
      got.arrivals.push({ source: ev.source, id: ev.id, subject: ev.subject, type: ev.type, sequence: ev.sequence, duplicate } as Arrival);
      if (!duplicate) {
        seen.add(ev.id);
        got.events.push(ev);
      }
    });
  });

  afterAll(async () => {
    await sub?.endAsync(true);
    await broker?.stop();
    rmSync(broker.dir, { recursive: true, force: true });
  });

  it('PUBACK 0x87 for D1 mid-batch: D1 later events are held (not delivered), the other subjects arrive in order', async () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const store = new OutboxStore(db);
    store.start();
    const log = pino({ level: 'silent' });
    const { produced, add } = eventWriter(db, store);
    // One batch: D1's second event is refused by the ACL; its third and fourth must not get through.
    for (const s of ['D1', 'D2', 'D3']) add('hcc.dossier.received', s);
    const denied = add(DENIED, 'D1');
    add('hcc.dossier.result.returned', 'D2');
    add('hcc.dossier.result.returned', 'D1');
    add('hcc.dossier.result.returned', 'D3');
    add('hcc.dossier.completed', 'D1');
    for (let i = 0; i < 20; i++) add('hcc.dossier.completed', `D${2 + (i % 2)}`);

    const transport = new MqttTransport({ url: `mqtt://127.0.0.1:${broker.port}`, topicPrefix: 'hcc', site: 's', agentId: 'a', clientId: 'hcc-order-test', username: '', password: '', caFile: '', ackTimeoutMs: 2000 }, log);
    const relay = new Relay(store, transport, { maxEvents: 500, maxBytes: 1 << 20, backoffBaseMs: 20, backoffMaxMs: 100 }, log);
    await relay.start();
    try {
      const expected = produced.filter((e, i) => e.subject !== 'D1' || i < produced.indexOf(denied));
      await until(() => store.counts().dead === 1 && store.counts().delivered === expected.length, 15000);
      await until(() => got.events.length >= expected.length, 5000);
      await until(() => relay.status().state === 'idle', 5000); // nothing left it may send: anything wrongly sent is counted below
      expect(store.deadEvents()[0]).toMatchObject({ id: denied.id, error: 'mqtt PUBACK 0x87 not authorized' });
      expect(store.counts()).toMatchObject({ pending: 2, held: 2, dead: 1 });
      expect(got.events.filter((e) => e.subject === 'D1').map((e) => e.type)).toEqual(['hcc.dossier.received']);
      assertDeliveredInOrder(got, expected);
    } finally {
      await relay.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);
});
