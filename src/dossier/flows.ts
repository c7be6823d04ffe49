/**
 * Receiving a dossier and returning its result: validate, then record the event, the local row
 * and the print job in ONE transaction — a receipt is never printed for a dossier the central
 * side will not hear of, and no event is recorded whose receipt could not be queued.
 * Applicant data goes into the event (the central side needs it) and never into a log line.
 */
import type { Logger } from 'pino';
import type { Events } from '../events.ts';
import type { PrintSubmitter } from '../printing/api.ts';
import { conflict, invalid } from '../errors.ts';
import { parseDossierCode, parseS10 } from './codes.ts';
import type { DossierStore } from './store.ts';
import { isRealDateTime } from '../dates.ts';
import type { DossierReceipt, DossierReceiptData, DossierReceived, FeePaidAnswer, FeePaidBody, FlowAnswer, ReceiveBody, ResultSlip, ReturnBody } from './schemas.ts';
import { fill, type AppointmentSource, type ProcedureSource } from './fill.ts';
import { purposeText, vietQrPayload } from '../payments/vietqr.ts';
import type { PaymentsConfig } from '../payments/config.ts';

export interface FlowDeps {
  events: Events;
  printing: PrintSubmitter;
  store: DossierStore;
  log: Logger;
  agencyName: string;
  timezone: string;
  dossierPatterns: readonly string[];
  procedures: ProcedureSource;
  calendar: AppointmentSource;
  /** The account fees are paid to by bank transfer; an empty BIN = no VietQR. */
  vietqr: PaymentsConfig['vietqr'];
  now?: () => number;
}

/** How far in the future a clerk's clock may put a time (clock skew between PCs). */
const FUTURE_SLACK_MS = 5 * 60_000;
const MAX_APPOINTMENT_MS = 366 * 24 * 3_600_000;

function localDate(t: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

function time(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isRealDateTime(value)) throw invalid('bad-date', `${field} is not a real date and time: "${value.slice(0, 40)}"`, `${field} không phải ngày giờ hợp lệ: "${value.slice(0, 40)}"`);
  return Date.parse(value);
}

export class DossierFlows {
  private readonly now: () => number;

  constructor(private readonly d: FlowDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The parsed dossier code, or a 400 that says what a code looks like. */
  code(text: string) {
    const parsed = parseDossierCode(text, this.d.dossierPatterns);
    if (!parsed) {
      throw invalid('bad-dossier-code', `"${text.slice(0, 64)}" is not a dossier code (expected e.g. 000.00.21.H30-261122-0001)`, `"${text.slice(0, 64)}" không phải mã hồ sơ (ví dụ đúng: 000.00.21.H30-261122-0001)`);
    }
    return parsed;
  }

  receive(codeText: string, input: ReceiveBody): FlowAnswer {
    const code = this.code(codeText);
    const now = this.now();
    const receivedAt = time(input.receivedAt, 'receivedAt', now);
    if (receivedAt > now + FUTURE_SLACK_MS) throw invalid('bad-date', 'receivedAt is in the future', 'Thời gian tiếp nhận ở tương lai');
    if (code.receivedDate && code.receivedDate !== localDate(receivedAt, this.d.timezone)) {
      throw invalid('bad-date', `the dossier code says it was received on ${code.receivedDate}, not on ${localDate(receivedAt, this.d.timezone)}`, `Mã hồ sơ ghi ngày tiếp nhận ${code.receivedDate}, khác ngày ${localDate(receivedAt, this.d.timezone)}`);
    }
    const filled = fill(input, receivedAt, this.d.procedures, this.d.calendar, input.appointmentAt === undefined ? undefined : time(input.appointmentAt, 'appointmentAt', now));
    const { appointmentAt } = filled;
    if (input.procedureCode === undefined ? appointmentAt <= receivedAt : appointmentAt < receivedAt) throw invalid('bad-date', 'the appointment must come after the receipt', 'Ngày hẹn trả phải sau thời gian tiếp nhận');
    if (appointmentAt - receivedAt > MAX_APPOINTMENT_MS) throw invalid('bad-date', 'the appointment is more than a year after the receipt', 'Ngày hẹn trả cách ngày tiếp nhận hơn một năm');
    const empty = filled.components.find((c) => c.originals + c.copies === 0);
    if (empty) throw invalid('bad-components', `component "${empty.name}" has no originals and no copies`, `Thành phần "${empty.name}" không có bản chính hay bản sao nào`);
    if (input.returnMethod === 'post' && !input.applicant.address?.trim()) {
      throw invalid('address-required', 'the result is to be posted: the applicant address is required', 'Trả kết quả qua bưu chính: cần địa chỉ người nộp');
    }
    const known = this.d.store.get(code.code);
    if (known?.received_at) throw conflict('already-received', `dossier ${code.code} was already received here`, `Hồ sơ ${code.code} đã được tiếp nhận tại đây`);
    // Its result went back to the citizen at this desk (received elsewhere): a new receipt would contradict it.
    if (known?.returned_at) throw conflict('already-returned', `the result of dossier ${code.code} was already returned; it cannot be received again`, `Hồ sơ ${code.code} đã trả kết quả; không tiếp nhận lại được`);

    const receipt: DossierReceipt = {
      dossierCode: code.code,
      agencyName: input.agencyName ?? this.d.agencyName,
      ...(input.receivingUnit ? { receivingUnit: input.receivingUnit } : {}),
      applicant: input.applicant,
      ...(filled.procedure ? { procedure: filled.procedure } : {}),
      request: filled.request,
      components: filled.components,
      sets: input.sets,
      processingTime: filled.processingTime,
      receivedAt: new Date(receivedAt).toISOString(),
      appointmentAt: new Date(appointmentAt).toISOString(),
      returnMethod: input.returnMethod,
      clerk: input.clerk,
      ...(filled.fee !== undefined ? { fee: filled.fee } : {}),
      ...(filled.fees.length ? { fees: filled.fees } : {}),
      ...(input.registerBook ? { registerBook: input.registerBook } : {}),
    };
    const result = this.d.events.transaction((tx) => {
      const received: DossierReceived = { ...receipt, ...(code.agencyCode ? { agencyCode: code.agencyCode } : {}) };
      const ev = tx.emit('hcc.dossier.received', code.code, received, { personal: true });
      const qr = this.vietqr(code.code, filled.fee);
      const printed: DossierReceiptData = { ...receipt, ...(input.copies ? { copies: input.copies } : {}), ...(qr ? { vietqr: qr } : {}) };
      const job = this.d.printing.submit({ template: 'dossier-receipt', data: printed, ...(input.printer ? { printer: input.printer } : {}), ...(input.format ? { format: input.format } : {}) }, tx);
      this.d.store.insertReceived({ code: code.code, received_at: receipt.receivedAt, appointment_at: receipt.appointmentAt, return_method: input.returnMethod, applicant_name: input.applicant.name, received_event_id: ev.id, receipt_job_id: job.id, fee: filled.fee ?? null });
      return { code: code.code, eventId: ev.id, printJobId: job.id, printJobState: job.state };
    });
    this.d.log.info({ code: result.code, eventId: result.eventId, printJobId: result.printJobId }, 'dossier received');
    return result;
  }

  return(codeText: string, input: ReturnBody): FlowAnswer {
    const code = this.code(codeText);
    const now = this.now();
    const returnedAt = time(input.returnedAt, 'returnedAt', now);
    if (returnedAt > now + FUTURE_SLACK_MS) throw invalid('bad-date', 'returnedAt is in the future', 'Thời gian trả kết quả ở tương lai');
    // A code dated after today was mistyped or forged: no result can exist for it yet.
    const today = localDate(now + FUTURE_SLACK_MS, this.d.timezone);
    if (code.receivedDate && code.receivedDate > today) {
      throw invalid('bad-date', `the dossier code says it was received on ${code.receivedDate}, after today (${today})`, `Mã hồ sơ ghi ngày tiếp nhận ${code.receivedDate}, sau ngày hôm nay (${today})`);
    }
    let postalItem: string | undefined;
    if (input.returnMethod === 'post') {
      if (!input.postalItem) throw invalid('postal-item-required', 'returning by post needs the postal item number (e.g. EE123456785VN)', 'Trả qua bưu chính cần số hiệu bưu gửi (ví dụ EE123456785VN)');
      const s10 = parseS10(input.postalItem.toUpperCase());
      if (!s10) throw invalid('bad-postal-item', `"${input.postalItem.slice(0, 32)}" is not a postal item number (2 letters, 9 digits, 2 letters)`, `"${input.postalItem.slice(0, 32)}" không phải số hiệu bưu gửi (2 chữ, 9 số, 2 chữ)`);
      if (!s10.valid) throw invalid('bad-postal-item', `postal item ${s10.id}: check digit is ${s10.checkDigit}, expected ${s10.expectedCheckDigit}`, `Số hiệu bưu gửi ${s10.id}: số kiểm tra là ${s10.checkDigit}, đúng phải là ${s10.expectedCheckDigit}`);
      postalItem = s10.id;
    } else if (input.postalItem) {
      throw invalid('postal-item-unexpected', 'a postal item number goes with returnMethod "post" only', 'Số hiệu bưu gửi chỉ dùng khi trả qua bưu chính');
    }
    const local = this.d.store.get(code.code);
    if (local?.returned_at) throw conflict('already-returned', `the result of dossier ${code.code} was already returned`, `Kết quả hồ sơ ${code.code} đã được trả`);
    if (local?.received_at && returnedAt < Date.parse(local.received_at)) throw invalid('bad-date', 'the result cannot be returned before the dossier was received', 'Không thể trả kết quả trước khi tiếp nhận hồ sơ');
    const applicantName = input.applicantName ?? (local?.applicant_name || undefined);
    if (!applicantName) throw invalid('applicant-name-required', 'this dossier was not received at this desk: give applicantName', 'Hồ sơ không tiếp nhận tại quầy này: cần nhập tên người nộp');

    const slip: ResultSlip = {
      dossierCode: code.code,
      applicantName,
      returnedAt: new Date(returnedAt).toISOString(),
      returnMethod: input.returnMethod,
      ...(postalItem ? { postalItem } : {}),
      clerk: input.clerk,
      ...(input.receivedBy ? { receivedBy: input.receivedBy } : {}),
      ...(local?.fee ? { fee: { amount: local.fee, paid: Boolean(local.fee_paid_at), ...(local.fee_method ? { method: local.fee_method } : {}) } } : {}),
    };
    const result = this.d.events.transaction((tx) => {
      const ev = tx.emit('hcc.dossier.result.returned', code.code, slip, { personal: true });
      const job = this.d.printing.submit({ template: 'result-slip', data: slip, ...(input.printer ? { printer: input.printer } : {}) }, tx);
      this.d.store.upsertReturned({ code: code.code, returned_at: slip.returnedAt, returned_method: input.returnMethod, postal_item: postalItem ?? null, returned_event_id: ev.id, slip_job_id: job.id });
      return { code: code.code, eventId: ev.id, printJobId: job.id, printJobState: job.state };
    });
    this.d.log.info({ code: result.code, eventId: result.eventId, printJobId: result.printJobId, postalItem }, 'dossier result returned');
    return result;
  }

  /** The VietQR payload for a fee due, when an account is configured; the purpose is the dossier code. */
  private vietqr(code: string, fee: number | undefined): string | undefined {
    if (!fee || !this.d.vietqr.bankBin) return undefined;
    return vietQrPayload({ bankBin: this.d.vietqr.bankBin, accountNumber: this.d.vietqr.accountNumber, amount: fee, purpose: purposeText(code) });
  }

  /** Records the fee of a dossier received here as paid: `hcc.dossier.fee.paid` and the row, in one transaction. */
  feePaid(codeText: string, input: FeePaidBody): FeePaidAnswer {
    const code = this.code(codeText);
    const row = this.d.store.get(code.code);
    if (!row?.received_at) throw conflict('not-received-here', `dossier ${code.code} was not received at this desk; its fee is not known here`, `Hồ sơ ${code.code} không tiếp nhận tại quầy này nên không có thông tin phí, lệ phí`);
    if (!row.fee) throw conflict('no-fee-due', `no fee is due for dossier ${code.code}`, `Hồ sơ ${code.code} không phải nộp phí, lệ phí`);
    if (row.fee_paid_at) throw conflict('fee-already-paid', `the fee of dossier ${code.code} was already paid (${row.fee_method})`, `Phí, lệ phí của hồ sơ ${code.code} đã được nộp`);
    if (input.amount !== undefined && input.amount !== row.fee) {
      throw invalid('fee-mismatch', `amount ${input.amount} differs from the fee due (${row.fee})`, `Số tiền ${input.amount} khác số phí, lệ phí phải nộp (${row.fee})`);
    }
    const paidAt = new Date(this.now()).toISOString();
    const data = { dossierCode: code.code, amount: row.fee, method: input.method, ...(input.reference ? { reference: input.reference } : {}), paidAt, ...(input.clerk ? { clerk: input.clerk } : {}) };
    const eventId = this.d.events.transaction((tx) => {
      const ev = tx.emit('hcc.dossier.fee.paid', code.code, data);
      this.d.store.markFeePaid(code.code, paidAt, input.method);
      return ev.id;
    });
    this.d.log.info({ code: code.code, eventId, method: input.method }, 'dossier fee paid');
    return { ...data, eventId };
  }
}
