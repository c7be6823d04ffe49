/**
 * The relay against a real mosquitto started by the test: QoS 1 with a persistent session, topic
 * layout, delivery on PUBACK; the broker goes away (events pile up, nothing lost) and comes back.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { Broker, freePort, until } from './outbox-helpers.ts';
import type { CloudEvent } from '../../src/outbox/envelope.ts';
import { anyEvents } from '../helpers/events.ts';

describe('outbox over MQTT (real mosquitto)', () => {
  let broker: Broker;
  let sub: MqttClient;
  const got: { topic: string; ev: CloudEvent }[] = [];

  beforeAll(async () => {
    broker = new Broker(await freePort());
    await broker.start();
    // A central consumer with its own persistent session, so nothing published while it reconnects is lost.
    sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'central-consumer', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 200 });
    await sub.subscribeAsync('hcc/#', { qos: 1 });
    sub.on('message', (topic, payload) => got.push({ topic, ev: JSON.parse(payload.toString()) as CloudEvent }));
  });

  afterAll(async () => {
    await sub?.endAsync(true);
    await broker?.stop();
    rmSync(broker.dir, { recursive: true, force: true });
  });

  it('publishes QoS 1 on <prefix>/<site>/<agent>/events/<type>, survives a broker outage, loses nothing', async () => {
    const agent = await startAgent(testConfig({
      queue: { role: 'host', services: [], counters: [] },
      devices: [],
      central: { transport: 'mqtt', mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, topicPrefix: 'hcc', ackTimeoutMs: 2000 }, relay: { backoffBaseMs: 50, backoffMaxMs: 300, maxEvents: 20 } },
    }));
    try {
      const produced: CloudEvent[] = [];
      const produce = (n: number) => { for (let i = 0; i < n; i++) produced.push(anyEvents(agent.ctx.events).record('hcc.dossier.received', `D${produced.length % 4}`, { i: produced.length })); };
      produce(60);
      await until(() => new Set(got.map((g) => g.ev.id)).size >= 60);
      expect(got[0].topic).toBe('hcc/test-site/test-desk/events/hcc.dossier.received');
      await until(() => agent.ctx.outbox.status().delivered === 60);

      await broker.stop();
      produce(60); // the broker is down: these wait in the outbox
      await until(() => agent.ctx.outbox.status().consecutiveFailures > 0);
      expect(agent.ctx.outbox.status().pending).toBe(60);
      expect(agent.ctx.outbox.status().lastError).toMatch(/mqtt/);

      await broker.start();
      produce(30);
      await until(() => new Set(got.map((g) => g.ev.id)).size >= 150, 30000);
      await until(() => agent.ctx.outbox.status().pending === 0);

      const ids = new Set(produced.map((e) => e.id));
      const seen = new Map<string, CloudEvent>();
      for (const g of got) {
        expect(ids.has(g.ev.id)).toBe(true); // duplicates only with a known id
        if (!seen.has(g.ev.id)) seen.set(g.ev.id, g.ev);
      }
      expect(seen.size).toBe(150);
      const last = new Map<string, number>();
      for (const ev of seen.values()) {
        expect(Number(ev.sequence)).toBeGreaterThan(last.get(ev.subject!) ?? 0);
        last.set(ev.subject!, Number(ev.sequence));
      }
    } finally {
      await agent.cleanup();
    }
  }, 60000);

  it('a PUBACK "not authorized" (broker ACL) makes a dead letter; other types still flow', async () => {
    const acl = new Broker(await freePort(), (dir) => {
      writeFileSync(join(dir, 'acl'), 'topic write hcc/+/+/events/hcc.test.ok\n');
      return `acl_file ${join(dir, 'acl')}\n`;
    });
    await acl.start();
    const agent = await startAgent(testConfig({
      queue: { role: 'host', services: [], counters: [] },
      devices: [],
      central: { transport: 'mqtt', mqtt: { url: `mqtt://127.0.0.1:${acl.port}`, ackTimeoutMs: 2000 }, relay: { backoffBaseMs: 20, backoffMaxMs: 100 } },
    }));
    try {
      const denied = anyEvents(agent.ctx.events).record('hcc.test.denied', 'X', {});
      anyEvents(agent.ctx.events).record('hcc.test.ok', 'Y', {});
      await until(() => agent.ctx.outbox.status().dead === 1 && agent.ctx.outbox.status().delivered === 1);
      expect(agent.ctx.outbox.store.deadEvents()[0]).toMatchObject({ id: denied.id, error: 'mqtt PUBACK 0x87 not authorized' });
    } finally {
      await agent.cleanup();
      await acl.stop();
      rmSync(acl.dir, { recursive: true, force: true });
    }
  }, 30000);
});
