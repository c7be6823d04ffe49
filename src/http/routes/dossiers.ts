/**
 * Dossier flows: POST /dossiers/:code/receive and /return (scope `dossier`) record the event and
 * queue the printout in one transaction; GET /dossiers/:code asks the central system for the status.
 */
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { DossierStore } from '../../dossier/store.ts';
import { DossierFlows } from '../../dossier/flows.ts';
import { StatusLookup } from '../../dossier/status.ts';

const Str = (max: number, extra: object = {}) => Type.String({ minLength: 1, maxLength: max, ...extra });
const IsoTime = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$', maxLength: 40, description: `${description} ISO 8601 with zone, e.g. 2026-11-22T14:05:00+07:00.` });
const Count = Type.Integer({ minimum: 0, maximum: 1000 });
const Code = Type.Object({ code: Str(128, { description: 'Dossier code (mã hồ sơ), e.g. 000.00.21.H30-261122-0001.' }) });

const ReceiveBody = Type.Object(
  {
    agencyName: Type.Optional(Str(200, { description: 'Default: printing.agencyName.' })),
    receivingUnit: Type.Optional(Str(200)),
    applicant: Type.Object(
      {
        name: Str(200),
        address: Type.Optional(Type.String({ maxLength: 300 })),
        phone: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9+ ().-]*$' })),
        email: Type.Optional(Type.String({ maxLength: 200 })),
      },
      { additionalProperties: false, description: 'Personal data: sent to the central system in the event, never logged.' },
    ),
    request: Str(1000, { description: 'Nội dung yêu cầu giải quyết.' }),
    components: Type.Array(Type.Object({ name: Str(300), originals: Count, copies: Count }, { additionalProperties: false }), { minItems: 1, maxItems: 60, description: 'Thành phần hồ sơ with counts of originals and copies.' }),
    sets: Type.Integer({ minimum: 1, maximum: 100, description: 'Số bộ.' }),
    processingTime: Str(200, { description: 'Thời gian giải quyết theo quy định, e.g. "15 ngày làm việc".' }),
    receivedAt: Type.Optional(IsoTime('When the dossier was received; default now.')),
    appointmentAt: IsoTime('Appointment to collect the result; after receivedAt.'),
    returnMethod: Type.Union([Type.Literal('counter'), Type.Literal('post')]),
    clerk: Str(120),
    fee: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'VND.' })),
    registerBook: Type.Optional(Str(60, { description: 'Số sổ tiếp nhận.' })),
    copies: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: 'Receipt copies (Liên 1: Lưu, Liên 2: Giao người nộp).' })),
    printer: Type.Optional(Str(64, { description: 'Printer device id; default printer when absent.' })),
    format: Type.Optional(Type.Union([Type.Literal('thermal'), Type.Literal('a4')])),
  },
  { additionalProperties: false },
);

const ReturnBody = Type.Object(
  {
    returnMethod: Type.Union([Type.Literal('counter'), Type.Literal('post')]),
    postalItem: Type.Optional(Str(32, { description: 'UPU S10 item number (check digit verified), required for post, e.g. EE123456785VN.' })),
    clerk: Str(120),
    receivedBy: Type.Optional(Str(200, { description: 'Who collected the result at the counter.' })),
    applicantName: Type.Optional(Str(200, { description: 'Needed when the dossier was not received at this desk.' })),
    returnedAt: Type.Optional(IsoTime('When the result was handed over; default now.')),
    printer: Type.Optional(Str(64)),
  },
  { additionalProperties: false },
);

const FlowAnswer = Type.Object({
  code: Type.String(),
  eventId: Type.String({ description: 'CloudEvents id of the recorded event.' }),
  printJobId: Type.String(),
  printJobState: Type.String(),
});

const LocalSchema = Type.Object({
  receivedAt: Type.Optional(Type.String()),
  appointmentAt: Type.Optional(Type.String()),
  returnMethod: Type.Optional(Type.String()),
  receiptPrintJobId: Type.Optional(Type.String()),
  returnedAt: Type.Optional(Type.String()),
  returnedBy: Type.Optional(Type.String()),
  postalItem: Type.Optional(Type.String()),
});

const StatusAnswer = Type.Object({
  code: Type.String(),
  centralReachable: Type.Boolean(),
  status: Type.Optional(Type.String()),
  statusText: Type.Optional(Type.String()),
  statusTextVi: Type.Optional(Type.String()),
  appointmentAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
  local: Type.Union([LocalSchema, Type.Null()]),
  message: Type.Optional(Type.String()),
  messageVi: Type.Optional(Type.String()),
  checkedAt: Type.String(),
  cached: Type.Boolean(),
});

const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } };

export const dossierRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  const store = new DossierStore(ctx.db, ctx.security.vault);
  const days = ctx.config.security.personalDataDays;
  store.start(days);
  // Retention runs daily too: an agent may run for months without a restart.
  const purge = setInterval(() => store.purgeNames(new Date(Date.now() - days * 86_400_000)), 86_400_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  const flows = new DossierFlows({
    events: ctx.events,
    printing: ctx.printing,
    store,
    log: ctx.log.child({ component: 'dossier' }),
    agencyName: ctx.config.printing.agencyName,
    timezone: ctx.config.agent.timezone,
    dossierPatterns: ctx.config.barcode.dossierPatterns,
  });
  const h = ctx.config.central.http;
  const status = new StatusLookup(store, { statusUrl: h.statusUrl, token: h.token, caFile: h.caFile, timeoutMs: h.statusTimeoutMs, cacheMs: h.statusCacheMs });

  app.post(
    '/dossiers/:code/receive',
    {
      config: { scope: 'dossier' },
      schema: { summary: 'Receive a dossier: records hcc.dossier.received and prints the receipt (Mẫu 01) in one transaction', tags: ['dossiers'], params: Code, body: ReceiveBody, response: { 201: FlowAnswer, ...errors } },
    },
    async (req, reply) => reply.code(201).send(flows.receive(req.params.code, req.body)),
  );

  app.post(
    '/dossiers/:code/return',
    {
      config: { scope: 'dossier' },
      schema: { summary: 'Return the result: records hcc.dossier.result.returned (with the S10 item when posted) and prints the slip in one transaction', tags: ['dossiers'], params: Code, body: ReturnBody, response: { 201: FlowAnswer, ...errors } },
    },
    async (req, reply) => reply.code(201).send(flows.return(req.params.code, req.body)),
  );

  app.get(
    '/dossiers/:code',
    { schema: { summary: 'Dossier status from the central system, or what this desk knows when it cannot be reached', tags: ['dossiers'], params: Code, response: { 200: StatusAnswer, 400: { $ref: 'ErrorBody#' } } } },
    async (req) => {
      const code = flows.code(req.params.code).code;
      ctx.security.audit.record(req.caller.name, 'dossier.read', code);
      return status.lookup(code);
    },
  );
};
