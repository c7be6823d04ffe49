/**
 * The procedure catalogue and the working-day calendar, for the counter's receipt form and the
 * kiosk's "papers to bring" screen: GET /procedures?q=, GET /procedures/:code,
 * GET /calendar/appointment. Read-only and free of personal data.
 */
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import { Procedure, ProcedureQuery, ProceduresAnswer } from '../../procedures/schemas.ts';
import { invalid, notFound } from '../../errors.ts';
import { isRealDateTime } from '../../dates.ts';
import { IsoTime } from '../../schema.ts';

const AppointmentQuery = Type.Object(
  {
    from: Type.Optional(IsoTime('Received time, ISO 8601 with zone; default now.')),
    workingDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, description: 'Processing time in working days.' })),
    workingHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2920, description: 'Processing time in working hours (instead of days).' })),
  },
  { additionalProperties: false },
);

const AppointmentAnswer = Type.Object({
  appointmentAt: Type.String({ description: 'UTC ISO time.' }),
  skipped: Type.Array(Type.Object({ date: Type.String(), reason: Type.String(), reasonVi: Type.String() }), { description: 'Days not counted (weekends, holidays, the receipt day after the cut-off), with why.' }),
});

export const procedureRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/procedures',
    { schema: { summary: 'Search the procedure catalogue by code or words (with or without diacritics)', tags: ['procedures'], querystring: ProcedureQuery, response: { 200: ProceduresAnswer, 400: { $ref: 'ErrorBody#' } } } },
    async (req) => ctx.procedures.search(req.query.q, req.query.limit),
  );

  app.get(
    '/procedures/:code',
    { schema: { summary: 'One procedure of the catalogue', tags: ['procedures'], params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: Procedure, 404: { $ref: 'ErrorBody#' } } } },
    async (req) => {
      const p = ctx.procedures.get(req.params.code);
      if (!p) throw notFound(`procedure ${req.params.code}`, `thủ tục ${req.params.code}`);
      return p;
    },
  );

  app.get(
    '/calendar/appointment',
    {
      schema: {
        summary: 'Appointment after a processing time counted in the centre\'s working days (weekends, Vietnamese public holidays, announced swaps, afternoon cut-off)',
        tags: ['procedures'],
        querystring: AppointmentQuery,
        response: { 200: AppointmentAnswer, 400: { $ref: 'ErrorBody#' } },
      },
    },
    async (req) => {
      const { from, workingDays, workingHours } = req.query;
      if (from !== undefined && !isRealDateTime(from)) throw invalid('bad-date', `from is not a real date and time: "${from}"`, `from không phải ngày giờ hợp lệ: "${from}"`);
      if ((workingDays === undefined) === (workingHours === undefined)) throw invalid('bad-query', 'give workingDays or workingHours (one of them)', 'Cần cho biết số ngày làm việc hoặc số giờ làm việc');
      const at = from === undefined ? Date.now() : Date.parse(from);
      return workingHours !== undefined ? ctx.calendar.appointmentHours(at, workingHours) : ctx.calendar.appointment(at, workingDays!);
    },
  );
};
