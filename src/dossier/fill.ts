/**
 * What a receipt takes from its procedure when the clerk picked one: the request, the components,
 * the processing time and the appointment in the centre's working days, and the fees. What the
 * clerk gave wins; what neither gives is a clear 400 naming the field.
 */
import { invalid } from '../errors.ts';
import type { Procedure } from '../procedures/schemas.ts';
import type { Appointment } from '../calendar/working-days.ts';
import type { FeeLine, ReceiveBody } from './schemas.ts';

export interface ProcedureSource {
  get(code: string): Procedure | undefined;
}

export interface AppointmentSource {
  appointment(fromMs: number, workingDays: number): Appointment;
  appointmentHours(fromMs: number, hours: number): Appointment;
}

export interface Filled {
  request: string;
  components: NonNullable<ReceiveBody['components']>;
  processingTime: string;
  appointmentAt: number;
  fees: FeeLine[];
  fee: number | undefined;
  procedure?: { code: string; name: string };
}

/** "5 ngày làm việc", "Trong ngày", "4 giờ làm việc": how the receipt states the processing time. */
export function processingTimeVi(p: Pick<Procedure, 'processingDays' | 'processingHours'>): string {
  if (p.processingHours) return `${p.processingHours} giờ làm việc`;
  return p.processingDays === 0 ? 'Trong ngày làm việc' : `${p.processingDays} ngày làm việc`;
}

function required<T>(value: T | undefined, field: string, vi: string): T {
  if (value === undefined) throw invalid('field-required', `${field} is required when no procedureCode is given`, `Cần nhập ${vi} (hoặc chọn thủ tục)`);
  return value;
}

export function fill(input: ReceiveBody, receivedAt: number, procedures: ProcedureSource, calendar: AppointmentSource, appointmentGiven: number | undefined): Filled {
  const p = input.procedureCode === undefined ? undefined : procedures.get(input.procedureCode);
  if (input.procedureCode !== undefined && !p) {
    throw invalid('unknown-procedure', `procedure ${input.procedureCode.slice(0, 64)} is not in the catalogue`, `Không có thủ tục mã ${input.procedureCode.slice(0, 64)} trong danh mục`);
  }
  const fees = feeLines(input, p);
  const sum = fees.reduce((a, f) => a + f.amount, 0);
  if (input.fee !== undefined && fees.length && input.fee !== sum) {
    throw invalid('fee-mismatch', `fee ${input.fee} differs from the sum of the fee lines (${sum})`, `Tổng phí, lệ phí ${input.fee} khác tổng các khoản (${sum})`);
  }
  const fee = fees.length ? sum : input.fee;
  if (!p) {
    return {
      request: required(input.request, 'request', 'nội dung yêu cầu'),
      components: required(input.components, 'components', 'thành phần hồ sơ'),
      processingTime: required(input.processingTime, 'processingTime', 'thời gian giải quyết'),
      appointmentAt: required(appointmentGiven, 'appointmentAt', 'ngày hẹn trả'),
      fees,
      fee,
    };
  }
  const appointmentAt = appointmentGiven ?? Date.parse((p.processingHours ? calendar.appointmentHours(receivedAt, p.processingHours) : calendar.appointment(receivedAt, p.processingDays)).appointmentAt);
  return {
    request: input.request ?? p.name,
    components: input.components ?? p.components.filter((c) => c.required !== false).map((c) => ({ name: c.name, originals: c.originals, copies: c.copies })),
    processingTime: input.processingTime ?? processingTimeVi(p),
    appointmentAt,
    fees,
    fee,
    procedure: { code: p.code, name: p.name },
  };
}

/** The clerk's lines, else the procedure's: a "theo quy định" fee (no amount) needs the clerk's figure. Free lines are not printed. */
function feeLines(input: ReceiveBody, p: Procedure | undefined): FeeLine[] {
  if (input.fees) return input.fees.filter((f) => f.amount > 0);
  if (!p || input.fee !== undefined) return [];
  const open = (p.fees ?? []).find((f) => f.amount === null);
  if (open) {
    throw invalid('fee-amount-required', `fee "${open.name}" is set by local rules: give its amount in fees`, `Khoản "${open.name}" thu theo quy định: cần nhập số tiền`);
  }
  return (p.fees ?? []).filter((f) => (f.amount ?? 0) > 0).map((f) => ({ name: f.name, amount: f.amount as number }));
}
