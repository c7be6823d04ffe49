/** The queue API's shapes (TypeBox): validation, OpenAPI for the kiosk/counter/board pages, and types. */
import Type, { type Static } from 'typebox';
import { IsoTime, Str } from '../schema.ts';

const Id = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' });
const Text = (description: string) => Type.String({ maxLength: 500, description });
const Time = (description: string) => Type.String({ maxLength: 40, description: `${description} (ISO 8601, UTC)` });

export const Notice = Type.Object(
  { code: Type.String({ maxLength: 64 }), message: Text('English'), messageVi: Text('Vietnamese') },
  { description: 'A plain message for the screen: Vietnamese first, English second.' },
);
export type Notice = Static<typeof Notice>;

export const TicketState = Type.Union([Type.Literal('waiting'), Type.Literal('called'), Type.Literal('completed'), Type.Literal('no-show')]);

export const Ticket = Type.Object({
  number: Type.String({ description: 'e.g. A012; unique in the site for the day' }),
  day: Type.String({ description: 'Local day (Asia/Ho_Chi_Minh) YYYY-MM-DD the number belongs to' }),
  serviceId: Type.String(),
  priority: Type.Union([Type.String(), Type.Null()], { description: 'Priority category id, null for a normal ticket' }),
  state: TicketState,
  counterId: Type.Union([Type.String(), Type.Null()]),
  issuedAt: Time('Issued'),
  calledAt: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
});
export type Ticket = Static<typeof Ticket>;

export const IssueBody = Type.Object(
  {
    serviceId: Id,
    priority: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'A priority category id from GET /queue/config' })),
    print: Type.Optional(Type.Boolean({ description: 'Print the ticket on this agent (default: queue.printing.enabled). Client kiosks send false to the host and print locally.' })),
  },
  { additionalProperties: false },
);
export type IssueBody = Static<typeof IssueBody>;

export const IssueResult = Type.Object({
  number: Type.String({ description: 'The ticket number to show large on screen' }),
  serviceId: Type.String(),
  priority: Type.Union([Type.String(), Type.Null()]),
  day: Type.String(),
  issuedAt: Time('Issued'),
  waitingAhead: Type.Integer({ minimum: 0, description: 'Tickets of the same service (priority ones for a priority ticket) waiting before this one' }),
  estimatedWaitMinutes: Type.Optional(Type.Integer({ minimum: 0, description: "From today's average service time of the line; absent until a few tickets are served" })),
  printJobId: Type.Optional(Type.String({ description: 'Print job of the paper ticket; follow it at GET /print/jobs/:id' })),
  printError: Type.Optional(Notice),
  offline: Type.Optional(Type.Boolean({ description: 'Issued by a client kiosk from a reserved block while the host was unreachable' })),
  notice: Type.Optional(Notice),
});
export type IssueResult = Static<typeof IssueResult>;

export const CounterParams = Type.Object({ id: Id }, { additionalProperties: false });
export const TransferBody = Type.Object(
  {
    serviceId: Id,
    position: Type.Optional(Type.Union([Type.Literal('first'), Type.Literal('last')], { description: 'Place in the new service line (default first)' })),
  },
  { additionalProperties: false },
);
export type TransferBody = Static<typeof TransferBody>;

export const COUNTER_ACTIONS = ['call-next', 'recall', 'skip', 'complete', 'transfer'] as const;
export type CounterAction = (typeof COUNTER_ACTIONS)[number];

export const CounterResult = Type.Object({
  counterId: Type.String(),
  action: Type.String(),
  ticket: Type.Union([Ticket, Type.Null()], { description: 'The ticket acted on; call-next: the ticket now called, null when none is waiting' }),
  finished: Type.Optional(Type.Union([Ticket, Type.Null()], { description: 'call-next: the previous ticket it completed' })),
  callId: Type.Optional(Type.Integer({ description: 'call-next/recall: id of the call; audio at GET /queue/voice/:callId.wav' })),
  notice: Type.Optional(Notice),
});
export type CounterResult = Static<typeof CounterResult>;

export const Call = Type.Object({
  callId: Type.Integer(),
  number: Type.String(),
  serviceId: Type.String(),
  counterId: Type.String(),
  counterName: Type.String(),
  at: Time('Called'),
  recall: Type.Boolean(),
  text: Type.String({ description: 'The call as displayed, e.g. "Mời công dân có số thứ tự A012 đến quầy số 3"' }),
  audioUrl: Type.String({ description: 'Path of the voice call (WAV)' }),
});
export type Call = Static<typeof Call>;

export const BoardState = Type.Object({
  day: Type.String(),
  generatedAt: Time('Generated'),
  services: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      nameEn: Type.String(),
      prefix: Type.String(),
      waiting: Type.Integer({ minimum: 0 }),
      priorityWaiting: Type.Integer({ minimum: 0 }),
      lastIssued: Type.Union([Type.String(), Type.Null()], { description: 'Last number issued today' }),
    }),
  ),
  counters: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      services: Type.Array(Type.String()),
      current: Type.Union([Call, Type.Null()], { description: 'The ticket being served at the counter' }),
    }),
  ),
  lastCalls: Type.Array(Call, { description: 'Most recent first' }),
});
export type BoardState = Static<typeof BoardState>;

export const RatingBody = Type.Object(
  {
    level: Id,
    counterId: Type.Optional(Id),
    number: Type.Optional(Type.String({ minLength: 2, maxLength: 8, pattern: '^[A-Z]{1,2}[0-9]{3,5}$', description: 'Ticket number; default the ticket pending at counterId' })),
  },
  { additionalProperties: false },
);
export type RatingBody = Static<typeof RatingBody>;

export const RatingResult = Type.Object({ number: Type.String(), counterId: Type.String(), level: Type.String(), score: Type.Integer(), ratedAt: Time('Rated') });
export type RatingResult = Static<typeof RatingResult>;

export const Level = Type.Object({ id: Type.String(), score: Type.Integer(), name: Type.String(), nameEn: Type.String() });

export const PendingRating = Type.Object({
  counterId: Type.String(),
  ticket: Type.Union([Type.Object({ number: Type.String(), serviceId: Type.String(), completedAt: Type.String() }), Type.Null()], {
    description: 'The completed ticket the counter tablet should ask about, null when none',
  }),
  levels: Type.Array(Level),
});
export type PendingRating = Static<typeof PendingRating>;

const Figures = {
  tickets: Type.Integer({ description: 'Tickets (service: issued or transferred in; counter: called there)' }),
  served: Type.Integer(),
  noShow: Type.Integer(),
  waiting: Type.Integer({ description: 'Still waiting or being served' }),
  avgWaitSec: Type.Union([Type.Number(), Type.Null()], { description: 'Average of first call − issue' }),
  p90WaitSec: Type.Union([Type.Number(), Type.Null()]),
  avgServiceSec: Type.Union([Type.Number(), Type.Null()], { description: 'Average of completion − call' }),
  p90ServiceSec: Type.Union([Type.Number(), Type.Null()]),
  ratings: Type.Record(Type.String(), Type.Integer(), { description: 'Ratings per level id' }),
};
export const ReportRow = Type.Object({ id: Type.String(), name: Type.String(), ...Figures });
export type ReportRow = Static<typeof ReportRow>;
export const Report = Type.Object({ date: Type.String(), timezone: Type.String(), services: Type.Array(ReportRow), counters: Type.Array(ReportRow), total: ReportRow });
export type Report = Static<typeof Report>;

export const ReportQuery = Type.Object(
  {
    date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Local day; default today' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
    access_token: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const PublicConfig = Type.Object({
  role: Type.String(),
  timezone: Type.String(),
  open: Type.Boolean({ description: 'Tickets are issued now (opening hours)' }),
  services: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), nameEn: Type.String(), prefix: Type.String() })),
  counters: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), services: Type.Array(Type.String()) })),
  priorityCategories: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), nameEn: Type.String() })),
  ratingLevels: Type.Array(Level),
});
export type PublicConfig = Static<typeof PublicConfig>;

export const BlockBody = Type.Object(
  { serviceId: Id, size: Type.Integer({ minimum: 1, maximum: 500 }), agent: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type BlockBody = Static<typeof BlockBody>;
export const Block = Type.Object({
  id: Type.Integer(),
  day: Type.String(),
  serviceId: Type.String(),
  prefix: Type.String(),
  width: Type.Integer({ description: 'Digits of the number' }),
  first: Type.Integer(),
  last: Type.Integer(),
});
export type Block = Static<typeof Block>;

export const OfflineTicket = Type.Object(
  {
    blockId: Type.Integer(),
    number: Type.String({ maxLength: 8 }),
    serviceId: Id,
    // Absent for a normal ticket (fastify coerces a JSON null into "" for a string).
    priority: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    issuedAt: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type OfflineTicket = Static<typeof OfflineTicket>;
export const ImportBody = Type.Object({ agent: Type.String({ minLength: 1, maxLength: 64 }), tickets: Type.Array(OfflineTicket, { maxItems: 1000 }) }, { additionalProperties: false });
export type ImportBody = Static<typeof ImportBody>;
export const ImportResult = Type.Object({ accepted: Type.Integer(), already: Type.Integer() });

export const LinkState = Type.Object({
  role: Type.String(),
  hostUrl: Type.Optional(Type.String()),
  reachable: Type.Boolean(),
  lastContactAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Client role: why the host could not be reached, while it cannot' })),
  pendingSync: Type.Integer({ description: 'Tickets issued offline not yet received by the host' }),
  refusedSync: Type.Integer({ description: 'Tickets issued offline today that the host refused (shown to staff)' }),
  blocks: Type.Array(Type.Object({ serviceId: Type.String(), remaining: Type.Integer() })),
  notice: Type.Union([Notice, Type.Null()]),
});
export type LinkState = Static<typeof LinkState>;

/** Data of the queue-ticket print template. */
export const QueueTicketData = Type.Object(
  {
    number: Str(16),
    serviceName: Str(120),
    serviceNameEn: Type.Optional(Str(120)),
    issuedAt: IsoTime(),
    waitingAhead: Type.Integer({ minimum: 0, maximum: 99999 }),
    estimatedWaitMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
    counterHint: Type.Optional(Str(120)),
    qr: Type.Optional(Str(512)),
  },
  { additionalProperties: false },
);
export type QueueTicketData = Static<typeof QueueTicketData>;
