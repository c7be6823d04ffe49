/**
 * A missing or unusable central CA file is a config problem of the outbox only: the agent starts
 * (queue, printing and the rest run), health is degraded naming the config key, and events wait.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, tempDir, testConfig, type TestAgent } from '../helpers/agent.ts';
import { anyEvents } from '../helpers/events.ts';

describe('outbox: unreadable central CA file', () => {
  let agent: TestAgent | null = null;
  afterEach(async () => {
    await agent?.cleanup();
    agent = null;
  });

  const cases: { name: string; key: string; central: (dir: string) => Record<string, unknown>; problem: RegExp }[] = [
    {
      name: 'http, missing file',
      key: 'central.http.caFile',
      central: () => ({ transport: 'http', http: { url: 'https://central.example/api/events', caFile: '/nonexistent/hcc/central-ca.pem' } }),
      problem: /^central\.http\.caFile: cannot read "\/nonexistent\/hcc\/central-ca\.pem" \(ENOENT\)$/,
    },
    {
      name: 'http, a directory',
      key: 'central.http.caFile',
      central: (dir) => ({ transport: 'http', http: { url: 'https://central.example/api/events', caFile: dir } }),
      problem: /^central\.http\.caFile: cannot read ".*" \(EISDIR\)$/,
    },
    {
      name: 'mqtt, not a PEM file',
      key: 'central.mqtt.caFile',
      central: (dir) => {
        writeFileSync(join(dir, 'ca.txt'), 'not a certificate');
        return { transport: 'mqtt', mqtt: { url: 'mqtts://broker.example:8883', caFile: join(dir, 'ca.txt') } };
      },
      problem: /^central\.mqtt\.caFile: ".*ca\.txt" holds no PEM certificate$/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the agent starts, health degraded naming ${c.key}, events stay pending`, async () => {
      const dir = tempDir();
      agent = await startAgent(testConfig({ agent: { dataDir: dir }, central: c.central(dir) }));
      const status = agent.ctx.outbox.status();
      expect(status.state).toBe('disabled');
      expect(status.lastError).toMatch(c.problem);
      const h = agent.ctx.health.report();
      expect(h.status).toBe('degraded');
      expect(h.checks.outbox.ok).toBe(false);
      expect(h.checks.outbox.message).toContain(c.key);
      expect(h.checks.outbox.messageVi).toContain(c.key);

      const before = agent.ctx.outbox.status().pending;
      const ev = anyEvents(agent.ctx.events).record('hcc.test', 'X', { n: 1 });
      expect(ev.sequence).toBeDefined();
      expect(agent.ctx.outbox.status()).toMatchObject({ pending: before + 1, delivered: 0, dead: 0 });

      // The rest of the agent answers: the HTTP API is up and reports the problem.
      const res = await agent.fastify.inject({ url: '/api/v1/health', headers: { host: 'localhost' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'degraded', checks: { outbox: { ok: false } } });
      expect(res.json().checks.outbox.message).toContain(c.key);
    });
  }
});
