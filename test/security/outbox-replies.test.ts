/**
 * A central side that quotes the citizen in its error reply ("applicant.phone invalid for ‹name›
 * (‹phone›)") must not leave that text in clear in the outbox table, GET /outbox or /outbox/dead.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { Receiver } from '../../src/outbox/receiver.ts';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { dossierCodeOn } from '../helpers/codes.ts';
import { until } from '../integration/outbox-helpers.ts';

const NAME = 'Trần Thị Bích Ngọc';
const PHONE = '0912345678';
const H = { host: 'localhost' };
let r: Receiver;
let agent: TestAgent;
let mode: 'refuse' | 'fail' = 'fail';

beforeAll(async () => {
  r = await new Receiver({
    behave: ({ events }) => {
      const quoted = events.find((e) => e.type === 'hcc.dossier.received');
      if (!quoted) return undefined;
      const a = (quoted.data as { applicant: { name: string; phone: string } }).applicant;
      return { status: mode === 'refuse' ? 422 : 500, body: `applicant.phone invalid for ${a.name} (${a.phone})` };
    },
  }).start();
  agent = await startAgent(
    testConfig({
      queue: { role: 'host', services: [], counters: [] },
      central: { transport: 'http', http: { url: r.url, statusUrl: r.statusUrl, timeoutMs: 2000 }, relay: { backoffBaseMs: 5, backoffMaxMs: 40 } },
    }),
  );
});
afterAll(async () => {
  await agent.cleanup();
  await r.close();
});

function receive(n: number) {
  const now = Date.now();
  return agent.fastify.inject({
    method: 'POST',
    url: `/api/v1/dossiers/${dossierCodeOn(n, now)}/receive`,
    headers: H,
    payload: { applicant: { name: NAME, phone: PHONE }, request: 'Cấp bản sao', components: [{ name: 'Đơn', originals: 1, copies: 0 }], sets: 1, processingTime: '3 ngày', appointmentAt: new Date(now + 3 * 86400_000).toISOString(), returnMethod: 'counter', clerk: 'Hoa' },
  });
}
const stored = () => JSON.stringify(agent.ctx.db.prepare('SELECT last_error FROM outbox').all());
const api = async (url: string) => (await agent.fastify.inject({ url, headers: H })).body;

describe('central replies quoting personal data', () => {
  it('a retried failure: the reason is kept and shown, the quote is not', async () => {
    expect((await receive(1)).statusCode).toBe(201);
    await until(() => (agent.ctx.db.prepare("SELECT MAX(attempts) AS n FROM outbox WHERE type = 'hcc.dossier.received'").get() as { n: number }).n >= 2);
    const status = await api('/api/v1/outbox');
    expect(JSON.parse(status).lastError).toMatch(/^HTTP 500 Internal Server Error: ‹central reply withheld/);
    for (const text of [stored(), status]) {
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain(NAME);
    }
  });

  it('a dead letter: shown without the quote, kept sealed for whoever holds the key', async () => {
    mode = 'refuse';
    await until(() => agent.ctx.outbox.status().dead >= 1);
    const dead = JSON.parse(await api('/api/v1/outbox/dead'));
    expect(dead[0].error).toMatch(/^HTTP 422 Unprocessable Entity: ‹central reply withheld/);
    for (const text of [stored(), await api('/api/v1/outbox'), JSON.stringify(dead)]) {
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain(NAME);
    }
    expect(agent.ctx.outbox.store.sealedReply(dead[0].id)).toBe(`applicant.phone invalid for ${NAME} (${PHONE})`);
  });
});
