/**
 * Load: 50 concurrent clients issue tickets for 10 s against one host on a loopback port.
 * Zero errors and zero duplicate numbers; every ticket is stored with its outbox event.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';

const CLIENTS = 50;
const DURATION_MS = 10_000;
const SERVICES = 'ABCDEFGHJK'.split('').map((p) => ({ id: `svc-${p}`, name: `Dịch vụ ${p}`, nameEn: `Service ${p}`, prefix: p }));

describe('queue under load', () => {
  let agent: TestAgent & { url: string };
  afterAll(() => agent?.cleanup());

  it(`${CLIENTS} clients for ${DURATION_MS / 1000} s: zero errors, zero duplicates`, async () => {
    agent = await startAgent(
      testConfig({
        queue: {
          role: 'host',
          dailyLimit: 99999,
          services: SERVICES,
          counters: [{ id: '1', name: 'Quầy 1', services: SERVICES.map((s) => s.id) }],
          printing: { enabled: false },
        },
      }),
      { listen: true },
    );
    const numbers: string[] = [];
    const errors: string[] = [];
    const end = Date.now() + DURATION_MS;
    const client = async (i: number) => {
      for (let n = 0; Date.now() < end; n++) {
        try {
          const res = await fetch(`${agent.url}/api/v1/queue/tickets`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ serviceId: SERVICES[(i + n) % SERVICES.length].id, ...(n % 7 === 0 ? { priority: 'elderly' } : {}) }),
          });
          const body = (await res.json()) as { number?: string };
          if (res.status !== 201 || !body.number) errors.push(`${res.status} ${JSON.stringify(body)}`);
          else numbers.push(body.number);
        } catch (err) {
          errors.push(String(err));
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));

    expect(errors.slice(0, 5)).toEqual([]);
    expect(numbers.length).toBeGreaterThan(CLIENTS);
    expect(new Set(numbers).size).toBe(numbers.length);
    const db = agent.ctx.db;
    expect(db.prepare('SELECT COUNT(*) FROM queue_tickets').pluck().get()).toBe(numbers.length);
    expect(db.prepare("SELECT COUNT(DISTINCT subject) FROM outbox WHERE type = 'hcc.queue.ticket.issued'").pluck().get()).toBe(numbers.length);
    // Per prefix, the numbers are exactly 1..n: no gap, no duplicate.
    for (const s of SERVICES) {
      const seqs = numbers.filter((n) => n.startsWith(s.prefix)).map((n) => Number(n.slice(1))).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    const state = (await (await fetch(`${agent.url}/api/v1/queue/state`)).json()) as { services: { waiting: number }[] };
    expect(state.services.reduce((a, s) => a + s.waiting, 0)).toBe(numbers.length);
    console.log(`queue load: ${numbers.length} tickets in ${DURATION_MS / 1000} s by ${CLIENTS} clients`);
  }, 60_000);
});
