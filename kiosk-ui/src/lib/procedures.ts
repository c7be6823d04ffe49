/** GET /api/v1/procedures and /procedures/:code: the procedure catalogue (the agent's own types; only the types are imported). */
export type { FeeItem, Procedure, ProcedureComponent, ProceduresAnswer } from '../../../src/procedures/schemas.ts';
/** GET /api/v1/calendar/appointment: the appointment after a processing time in working days (or hours). */
export type { Appointment } from '../../../src/calendar/working-days.ts';
