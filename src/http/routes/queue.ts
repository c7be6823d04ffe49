/**
 * /api/v1/queue: tickets, counter actions, the board state and voice calls, ratings, the daily
 * report, and the host side of client kiosks (blocks of numbers). Scope `queue` for actions;
 * `board` may read the state, the voice calls and the config.
 */
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import type { Scope } from '../../config/schema.ts';
import { HttpError } from '../errors.ts';
import { reportCsv } from '../../queue/report.ts';
import {
  Block,
  BlockBody,
  BoardState,
  CounterParams,
  CounterResult,
  ImportBody,
  ImportResult,
  IssueBody,
  IssueResult,
  LinkState,
  PendingRating,
  PublicConfig,
  RatingBody,
  RatingResult,
  Report,
  ReportQuery,
  TransferBody,
  type CounterAction,
} from '../../queue/schemas.ts';

const E = { $ref: 'ErrorBody#' };
const errors = { 400: E, 401: E, 403: E, 404: E, 409: E, 503: E };
const TAGS = ['queue'];

/** Routes readable with either scope: the route config can name only one. */
function requireAny(req: FastifyRequest, scopes: Scope[]): void {
  const have = req.caller.scopes;
  if (have === 'all' || scopes.some((s) => have.includes(s))) return;
  throw new HttpError(403, 'forbidden', `Token "${req.caller.name}" needs one of the scopes ${scopes.join(', ')}`, `Mã truy cập thiếu quyền ${scopes.join(' hoặc ')}`);
}
const readers = { preHandler: async (req: FastifyRequest) => requireAny(req, ['queue', 'board']) };

const COUNTER_DOCS: Record<CounterAction, string> = {
  'call-next': 'Call the next ticket for this counter (by its services and the priority policy); completes the ticket being served first',
  recall: 'Call the ticket being served again (board and voice)',
  skip: 'The called citizen did not come: no-show',
  complete: 'Service finished; the counter tablet then asks for a rating',
  transfer: 'Send the ticket being served to another service line, keeping its number',
};

export const queueRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/queue/config',
    { ...readers, schema: { summary: 'Services, counters, priority categories and rating levels for the kiosk, counter and board pages', tags: TAGS, response: { 200: PublicConfig } } },
    async () => ctx.queue.publicConfig(),
  );

  app.post(
    '/queue/tickets',
    {
      config: { scope: 'queue' },
      schema: {
        summary: 'Issue a ticket (prints it unless disabled). A printing failure never loses the ticket: the answer then carries printError',
        tags: TAGS,
        body: IssueBody,
        response: { 201: IssueResult, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await ctx.queue.issue(req.body)),
  );

  for (const action of ['call-next', 'recall', 'skip', 'complete'] as const) {
    app.post(
      `/queue/counters/:id/${action}`,
      { config: { scope: 'queue' }, schema: { summary: COUNTER_DOCS[action], tags: TAGS, params: CounterParams, response: { 200: CounterResult, ...errors } } },
      async (req) => ctx.queue.counterAction(req.params.id, action),
    );
  }
  app.post(
    '/queue/counters/:id/transfer',
    { config: { scope: 'queue' }, schema: { summary: COUNTER_DOCS.transfer, tags: TAGS, params: CounterParams, body: TransferBody, response: { 200: CounterResult, ...errors } } },
    async (req) => ctx.queue.counterAction(req.params.id, 'transfer', req.body),
  );

  app.get(
    '/queue/state',
    { ...readers, schema: { summary: 'Display board state: waiting per service, current call per counter, last calls. Pushed live as hcc.queue.board on /events', tags: TAGS, response: { 200: BoardState, ...errors } } },
    async () => ctx.queue.state(),
  );

  app.get(
    '/queue/voice/:callId.wav',
    {
      ...readers,
      schema: {
        summary: 'The voice call of a call as WAV audio ("Mời công dân có số thứ tự A012 đến quầy số 3")',
        tags: TAGS,
        params: Type.Object({ callId: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'audio/wav' }), ...errors, 500: E },
      },
    },
    async (req, reply) => {
      const wav = await ctx.queue.voiceWav(req.params.callId);
      return reply.type('audio/wav').header('cache-control', 'private, max-age=86400').send(wav);
    },
  );

  app.get(
    '/queue/rating/pending',
    {
      config: { scope: 'queue' },
      schema: {
        summary: 'For the counter tablet: the served ticket awaiting a rating at this counter, and the levels to offer',
        tags: TAGS,
        querystring: Type.Object({ counter: Type.String({ minLength: 1, maxLength: 32 }), access_token: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }),
        response: { 200: PendingRating, ...errors },
      },
    },
    async (req) => ctx.queue.pendingRating(req.query.counter),
  );

  app.post(
    '/queue/ratings',
    {
      config: { scope: 'queue' },
      schema: {
        summary: 'Rate a served ticket (one rating per ticket) → hcc.feedback.rated. Give the number, or the counter to rate its pending ticket',
        tags: TAGS,
        body: RatingBody,
        response: { 201: RatingResult, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await ctx.queue.rate(req.body)),
  );

  app.get(
    '/queue/report',
    {
      config: { scope: 'queue' },
      schema: {
        summary: 'KPIs of a day per service and counter: tickets, served, no-show, average and p90 waiting and service time (format=csv for a spreadsheet)',
        tags: TAGS,
        querystring: ReportQuery,
        response: { 200: Report, ...errors },
      },
    },
    async (req, reply) => {
      const report = await ctx.queue.report(req.query.date);
      if (req.query.format !== 'csv') return report;
      const csv = reportCsv(report, ctx.config.queue.ratings.levels.map((l) => l.id));
      // BOM so that spreadsheet programs read the Vietnamese names as UTF-8.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="queue-${report.date}.csv"`)
        .serializer((p: unknown) => p as string)
        .send(`\ufeff${csv}`);
    },
  );

  app.get(
    '/queue/link',
    { ...readers, schema: { summary: "Client kiosks: whether the queue host answers, in plain words for the screen, and the numbers held in reserve", tags: TAGS, response: { 200: LinkState } } },
    async () => ctx.queue.link(),
  );

  app.post(
    '/queue/blocks',
    {
      config: { scope: 'queue' },
      schema: { summary: 'Host: reserve a block of today\'s numbers for a client kiosk to issue while the host is unreachable', tags: TAGS, body: BlockBody, response: { 201: Block, ...errors } },
    },
    async (req, reply) => reply.code(201).send(ctx.queue.reserveBlock(req.body)),
  );

  app.post(
    '/queue/blocks/tickets',
    {
      config: { scope: 'queue' },
      schema: { summary: 'Host: receive the tickets a client kiosk issued from its blocks (idempotent)', tags: TAGS, body: ImportBody, response: { 200: ImportResult, ...errors } },
    },
    async (req) => ctx.queue.importTickets(req.body),
  );
};
