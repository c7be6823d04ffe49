/**
 * Property: any interleaving of concurrent issue / call-next / complete requests from many
 * clients (fast-check's scheduler decides when each request starts and when its answer arrives)
 * leaves no duplicate number, no ticket called twice, and waiting counts that match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import type { BoardState, CounterResult, IssueResult } from '../../src/queue/schemas.ts';

type Op = { kind: 'issue'; serviceId: string; priority?: string } | { kind: 'call-next' | 'complete'; counter: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('issue' as const), serviceId: fc.constantFrom('land', 'civil'), priority: fc.option(fc.constant('elderly'), { nil: undefined }) }),
  fc.record({ kind: fc.constantFrom('call-next' as const, 'complete' as const), counter: fc.constantFrom('1', '3') }),
);

for (const policy of ['strict', 'interleaved'] as const) {
  describe(`queue under concurrent clients (${policy} priority)`, () => {
    let agent: TestAgent;

    beforeAll(async () => {
      const base = testConfig();
      agent = await startAgent(testConfig({ queue: { ...base.queue, priority: { policy, every: 2 }, printing: { enabled: false }, voice: { enabled: false } } }));
    });
    afterAll(() => agent.cleanup());

    const reset = () => {
      for (const t of ['queue_ratings', 'queue_calls', 'queue_tickets', 'queue_numbering', 'queue_counter_state', 'queue_lines']) agent.ctx.db.prepare(`DELETE FROM ${t}`).run();
    };
    const send = async (op: Op) => {
      const res =
        op.kind === 'issue'
          ? await agent.fastify.inject({ method: 'POST', url: '/api/v1/queue/tickets', headers: { host: '127.0.0.1' }, payload: { serviceId: op.serviceId, priority: op.priority } })
          : await agent.fastify.inject({ method: 'POST', url: `/api/v1/queue/counters/${op.counter}/${op.kind}`, headers: { host: '127.0.0.1' } });
      return { status: res.statusCode, body: res.json() as unknown };
    };

    it('no duplicate number, no ticket called twice, waiting counts match', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.array(fc.array(opArb, { maxLength: 10 }), { minLength: 2, maxLength: 8 }), async (s, clients) => {
          reset();
          const issued: IssueResult[] = [];
          const called: { number: string; counter: string }[] = [];
          const finished: string[] = [];
          const client = async (ops: Op[]) => {
            for (const op of ops) {
              await s.schedule(Promise.resolve(), `start ${op.kind}`);
              const res = await s.schedule(send(op), `answer ${op.kind}`);
              if (op.kind === 'issue') {
                expect(res.status).toBe(201);
                issued.push(res.body as IssueResult);
                continue;
              }
              const r = res.body as CounterResult;
              if (op.kind === 'call-next') {
                expect(res.status).toBe(200);
                if (r.finished) finished.push(r.finished.number);
                if (r.ticket) called.push({ number: r.ticket.number, counter: op.counter });
              } else if (res.status === 200) {
                finished.push(r.ticket!.number);
              } else {
                expect(res.status).toBe(409); // nothing being served at that counter
              }
            }
          };
          await s.waitFor(Promise.all(clients.map(client)));

          const numbers = issued.map((t) => t.number);
          expect(new Set(numbers).size).toBe(numbers.length);
          const calledNumbers = called.map((c) => c.number);
          expect(new Set(calledNumbers).size).toBe(calledNumbers.length);
          expect(calledNumbers.every((n) => numbers.includes(n))).toBe(true);
          expect(new Set(finished).size).toBe(finished.length);
          expect(finished.every((n) => calledNumbers.includes(n))).toBe(true);

          const state = (await agent.fastify.inject({ url: '/api/v1/queue/state', headers: { host: '127.0.0.1' } })).json() as BoardState;
          for (const svc of state.services) {
            const mine = issued.filter((t) => t.serviceId === svc.id);
            expect(svc.waiting).toBe(mine.filter((t) => !calledNumbers.includes(t.number)).length);
            expect(svc.priorityWaiting).toBe(mine.filter((t) => t.priority && !calledNumbers.includes(t.number)).length);
          }
          const serving = state.counters.flatMap((c) => (c.current ? [c.current.number] : []));
          expect(serving.sort()).toEqual(calledNumbers.filter((n) => !finished.includes(n)).sort());
          // The kept counts equal a recount of the tickets.
          const recount = agent.ctx.db
            .prepare("SELECT service_id, COUNT(*) AS n, SUM(priority IS NOT NULL) AS p FROM queue_tickets WHERE state = 'waiting' GROUP BY service_id")
            .all() as { service_id: string; n: number; p: number }[];
          for (const svc of state.services) {
            const r = recount.find((x) => x.service_id === svc.id);
            expect([svc.waiting, svc.priorityWaiting]).toEqual([r?.n ?? 0, r?.p ?? 0]);
          }
          const rows = agent.ctx.db.prepare('SELECT COUNT(*) AS n FROM queue_tickets').get() as { n: number };
          expect(rows.n).toBe(issued.length);
        }),
        { numRuns: 30 },
      );
    }, 120_000);
  });
}
