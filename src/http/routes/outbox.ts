/** GET /outbox (relay state), GET /outbox/dead (dead letters), POST /outbox/dead/:id/retry. Admin scope. */
import Type from 'typebox';
import { Gauge } from 'prom-client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { notFound } from '../../errors.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const OutboxStatusSchema = Type.Object({
  pending: Type.Integer({ description: 'Events waiting to be forwarded.' }),
  delivered: Type.Integer({ description: 'Delivered events not yet pruned.' }),
  dead: Type.Integer({ description: 'Events the central system refused for good; re-send with POST /outbox/dead/:id/retry.' }),
  held: Type.Integer({ description: 'Pending events held back behind a dead event of the same subject (order per subject).' }),
  oldestPendingAgeMs: Nullable(Type.Integer()),
  transport: Type.String(),
  state: Type.String({ description: 'disabled | idle | sending | backoff | stopped' }),
  backoffMs: Type.Integer({ description: 'Current wait before the next attempt.' }),
  nextAttemptAt: Nullable(Type.String()),
  consecutiveFailures: Type.Integer(),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(Type.String()),
  lastDeliveredAt: Nullable(Type.String()),
  deliveredSinceStart: Type.Integer(),
  linkProblem: Type.Optional(Nullable(Type.String({ description: 'The central side refused the link, credentials or address (not the events): its answer, until a delivery succeeds.' }))),
  bytes: Type.Integer({ description: 'Stored event JSON in bytes.' }),
  capBytes: Type.Integer(),
  overCap: Type.Boolean(),
  diskFullSince: Nullable(Type.String()),
});

const DeadSchema = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  type: Type.String(),
  subject: Nullable(Type.String()),
  attempts: Type.Integer(),
  error: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const outboxRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();

  // Prometheus: what an operator alerts on (a growing backlog, an old pending event, dead letters).
  new Gauge({
    name: 'hcc_outbox_events',
    help: 'Outbox events by state (pending, delivered not yet pruned, dead).',
    labelNames: ['state'],
    registers: [ctx.metrics],
    collect() {
      const s = ctx.outbox.status();
      for (const state of ['pending', 'delivered', 'dead'] as const) this.set({ state }, s[state]);
    },
  });
  new Gauge({
    name: 'hcc_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event not yet forwarded (0 when none).',
    registers: [ctx.metrics],
    collect() {
      this.set((ctx.outbox.status().oldestPendingAgeMs ?? 0) / 1000);
    },
  });

  app.get('/outbox', { config: { scope: 'admin' }, schema: { summary: 'Outbox and relay state: pending, delivered, dead, oldest pending age, last error, backoff', tags: ['outbox'], response: { 200: OutboxStatusSchema } } }, async () => ctx.outbox.status());

  app.get(
    '/outbox/dead',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Dead letters: events the central system refused, with the reason (no event data: it may be personal)',
        tags: ['outbox'],
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
        response: { 200: Type.Array(DeadSchema) },
      },
    },
    async (req) => ctx.outbox.store.deadEvents(req.query.limit),
  );

  app.post(
    '/outbox/dead/:id/retry',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Put a dead event back in line for delivery',
        tags: ['outbox'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 202: Type.Object({ id: Type.String(), state: Type.Literal('pending') }), 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      if (!ctx.outbox.retryDead(req.params.id)) throw notFound(`dead event ${req.params.id}`, `sự kiện lỗi ${req.params.id}`);
      return reply.code(202).send({ id: req.params.id, state: 'pending' as const });
    },
  );
};
