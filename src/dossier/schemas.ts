/**
 * The dossier's shapes (TypeBox), one schema each, with their types derived: the bodies and answers
 * of the /dossiers routes (validation and OpenAPI), the receipt and the slip as recorded in
 * `hcc.dossier.received` / `hcc.dossier.result.returned` and printed (templates dossier-receipt and
 * result-slip), and the status look-up the kiosk shows.
 */
import Type, { type Static } from 'typebox';
import { IsoTime, Str } from '../schema.ts';
import { JobState } from '../printing/api.ts';

const zoned = (description: string) => IsoTime(`${description} ISO 8601 with zone, e.g. 2026-11-22T14:05:00+07:00.`);
const Count = Type.Integer({ minimum: 0, maximum: 1000 });

export const ReturnMethod = Type.Union([Type.Literal('counter'), Type.Literal('post')]);
export type ReturnMethod = Static<typeof ReturnMethod>;

export const DossierCodeParams = Type.Object({ code: Str(128, { description: 'Dossier code (mã hồ sơ), e.g. 000.00.21.H30-261122-0001.' }) });

export const Applicant = Type.Object(
  {
    name: Str(200),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    phone: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9+ ().-]*$' })),
    email: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false, description: 'Personal data: sent to the central system in the event, never logged.' },
);
export type Applicant = Static<typeof Applicant>;

export const DossierComponent = Type.Object({ name: Str(300), originals: Count, copies: Count }, { additionalProperties: false });

/** One fee line (phí or lệ phí) as printed, in VND. */
export const FeeLine = Type.Object({ name: Str(200), amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }, { additionalProperties: false });
export type FeeLine = Static<typeof FeeLine>;

/** The administrative procedure a dossier was received for. */
export const ProcedureRef = Type.Object({ code: Str(64), name: Str(500) }, { additionalProperties: false });

/** Liên 1: Lưu, Liên 2: Giao người nộp. */
const ReceiptCopies = Type.Union([Type.Literal(1), Type.Literal(2)], { description: 'Receipt copies (Liên 1: Lưu, Liên 2: Giao người nộp).' });

/** What the receipt (Mẫu 01) says besides the dossier code. */
const receiptFields = {
  agencyName: Str(200),
  receivingUnit: Type.Optional(Str(200)),
  applicant: Applicant,
  request: Str(1000, { description: 'Nội dung yêu cầu giải quyết.' }),
  components: Type.Array(DossierComponent, { minItems: 1, maxItems: 60, description: 'Thành phần hồ sơ with counts of originals and copies.' }),
  sets: Type.Integer({ minimum: 1, maximum: 100, description: 'Số bộ.' }),
  processingTime: Str(200, { description: 'Thời gian giải quyết theo quy định, e.g. "15 ngày làm việc".' }),
  receivedAt: zoned('When the dossier was received.'),
  appointmentAt: zoned('Appointment to collect the result; after receivedAt.'),
  returnMethod: ReturnMethod,
  clerk: Str(120),
  fee: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Total fee due, VND; the sum of `fees` when they are given.' })),
  fees: Type.Optional(Type.Array(FeeLine, { maxItems: 20, description: 'Fee lines (phí, lệ phí), printed one by one with their total.' })),
  procedure: Type.Optional(ProcedureRef),
  registerBook: Type.Optional(Str(60, { description: 'Số sổ tiếp nhận.' })),
};

/** The receipt as recorded and printed; times in UTC. */
export const DossierReceipt = Type.Object({ dossierCode: Str(64), ...receiptFields }, { additionalProperties: false });
export type DossierReceipt = Static<typeof DossierReceipt>;

/** Data of `hcc.dossier.received`: the receipt and the agency code read from the dossier code. */
export const DossierReceived = Type.Object(
  { ...DossierReceipt.properties, agencyCode: Type.Optional(Type.String({ description: 'Agency part of the dossier code, when its pattern names one.' })) },
  { additionalProperties: false },
);
export type DossierReceived = Static<typeof DossierReceived>;

/** Data of the dossier-receipt print template. */
export const DossierReceiptData = Type.Object(
  {
    ...DossierReceipt.properties,
    copies: Type.Optional(ReceiptCopies),
    vietqr: Type.Optional(Type.String({ maxLength: 512, description: 'VietQR payload for the fee due, printed as a QR code to pay by bank transfer.' })),
  },
  { additionalProperties: false },
);
export type DossierReceiptData = Static<typeof DossierReceiptData>;

/** POST /dossiers/:code/receive. */
export const ReceiveBody = Type.Object(
  {
    ...receiptFields,
    procedureCode: Type.Optional(Str(64, { description: 'Procedure code from the catalogue (GET /procedures); request, components, processing time, appointment and fees not given come from it.' })),
    request: Type.Optional(receiptFields.request),
    components: Type.Optional(receiptFields.components),
    processingTime: Type.Optional(receiptFields.processingTime),
    appointmentAt: Type.Optional(zoned('Appointment; default: computed from the procedure\'s processing time in working days (GET /calendar/appointment).')),
    agencyName: Type.Optional(Str(200, { description: 'Default: printing.agencyName.' })),
    receivedAt: Type.Optional(zoned('When the dossier was received; default now.')),
    copies: Type.Optional(ReceiptCopies),
    printer: Type.Optional(Str(64, { description: 'Printer device id; default printer when absent.' })),
    format: Type.Optional(Type.Union([Type.Literal('thermal'), Type.Literal('a4')])),
  },
  { additionalProperties: false },
);
export type ReceiveBody = Static<typeof ReceiveBody>;

/** The result slip as recorded in `hcc.dossier.result.returned` and printed (template result-slip). */
export const ResultSlip = Type.Object(
  {
    dossierCode: Str(64),
    applicantName: Str(200),
    returnedAt: IsoTime(),
    returnMethod: ReturnMethod,
    postalItem: Type.Optional(Type.String({ pattern: '^[A-Z]{2}\\d{9}[A-Z]{2}$', description: 'UPU S10 item number, e.g. EE123456785VN.' })),
    clerk: Str(120),
    receivedBy: Type.Optional(Str(200)),
    fee: Type.Optional(
      Type.Object(
        { amount: Type.Integer({ minimum: 0 }), paid: Type.Boolean(), method: Type.Optional(Type.String()) },
        { additionalProperties: false, description: 'The fee of a dossier received here, and whether it was paid.' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ResultSlip = Static<typeof ResultSlip>;

/** POST /dossiers/:code/return. */
export const ReturnBody = Type.Object(
  {
    returnMethod: ReturnMethod,
    postalItem: Type.Optional(Str(32, { description: 'UPU S10 item number (check digit verified), required for post, e.g. EE123456785VN.' })),
    clerk: Str(120),
    receivedBy: Type.Optional(Str(200, { description: 'Who collected the result at the counter.' })),
    applicantName: Type.Optional(Str(200, { description: 'Needed when the dossier was not received at this desk.' })),
    returnedAt: Type.Optional(zoned('When the result was handed over; default now.')),
    printer: Type.Optional(Str(64)),
  },
  { additionalProperties: false },
);
export type ReturnBody = Static<typeof ReturnBody>;

export const PaymentMethod = Type.Union([Type.Literal('cash'), Type.Literal('transfer'), Type.Literal('pos')]);

/** POST /dossiers/:code/fees/paid. */
export const FeePaidBody = Type.Object(
  {
    method: PaymentMethod,
    reference: Type.Optional(Str(100, { description: 'Bank transfer or card terminal reference.' })),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Amount received, VND; refused when it differs from the fee due.' })),
    clerk: Type.Optional(Str(120)),
  },
  { additionalProperties: false },
);
export type FeePaidBody = Static<typeof FeePaidBody>;

/** Data of `hcc.dossier.fee.paid`. */
export const FeePaid = Type.Object(
  {
    dossierCode: Type.String(),
    amount: Type.Integer(),
    method: PaymentMethod,
    reference: Type.Optional(Type.String()),
    paidAt: Type.String(),
    clerk: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type FeePaid = Static<typeof FeePaid>;

export const FeePaidAnswer = Type.Object({ ...FeePaid.properties, eventId: Type.String() });
export type FeePaidAnswer = Static<typeof FeePaidAnswer>;

/** The answer of receive and return. */
export const FlowAnswer = Type.Object({
  code: Type.String(),
  eventId: Type.String({ description: 'CloudEvents id of the recorded event.' }),
  printJobId: Type.String(),
  printJobState: JobState,
});
export type FlowAnswer = Static<typeof FlowAnswer>;

/** The local record as a look-up may show it (no personal data). */
export const LocalDossier = Type.Object({
  receivedAt: Type.Optional(Type.String({ description: 'Absent when the dossier was received at another desk and only returned here.' })),
  appointmentAt: Type.Optional(Type.String()),
  returnMethod: Type.Optional(ReturnMethod),
  receiptPrintJobId: Type.Optional(Type.String()),
  returnedAt: Type.Optional(Type.String()),
  returnedBy: Type.Optional(ReturnMethod),
  postalItem: Type.Optional(Type.String()),
  fee: Type.Optional(Type.Integer({ description: 'Fee due, VND, when one was charged.' })),
  feePaidAt: Type.Optional(Type.String()),
});
export type LocalDossier = Static<typeof LocalDossier>;

/** GET /dossiers/:code: the central status, or what this desk recorded when the central side cannot be reached. */
export const DossierStatus = Type.Object({
  code: Type.String(),
  centralReachable: Type.Boolean(),
  status: Type.Optional(Type.String({ description: 'Central status, e.g. processing, returned, unknown (the central side does not know the code).' })),
  statusText: Type.Optional(Type.String()),
  statusTextVi: Type.Optional(Type.String()),
  appointmentAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
  local: Type.Union([LocalDossier, Type.Null()], { description: 'What this desk recorded (no personal data); null when nothing.' }),
  message: Type.Optional(Type.String()),
  messageVi: Type.Optional(Type.String()),
  checkedAt: Type.String(),
  cached: Type.Boolean(),
});
export type DossierStatus = Static<typeof DossierStatus>;
