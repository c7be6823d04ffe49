/**
 * The receipt form ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"): a CCCD scan fills the applicant,
 * submitting records the reception and prints the receipt; the printout is shown from the
 * print job's preview (thermal raster) or as the A4 PDF.
 */
import { post, get, withToken, API } from '../lib/api.ts';
import { h, render } from '../lib/dom.ts';
import type { Applicant, CitizenId, FlowAnswer, ReceiveBody, ReturnMethod } from '../lib/dossier.ts';
import type { PrintJob } from '../lib/print.ts';
import { clerk, field, i18n, statusLine, t } from './shared.ts';
import { money, processingTimeVi, weekdayDate, type Procedure } from '../lib/procedures.ts';
import { ProcedurePicker, appointmentFor, skippedText } from './procedure-picker.ts';

interface ComponentRow {
  /** Ticked = received; a procedure's optional papers start unticked. */
  tick: HTMLInputElement;
  name: HTMLInputElement;
  originals: HTMLInputElement;
  copies: HTMLInputElement;
  note?: string;
  /** A paper of the procedure: its name is shown as text (long names wrap), not typed. */
  fixed?: boolean;
}

interface FeeRow {
  name: string;
  amount: HTMLInputElement;
}

const input = (name: string, attrs: Record<string, string | number | boolean> = {}) => h('input', { name, 'data-field': name, autocomplete: 'off', ...attrs });

/** Today + n days at 08:00, as the value of an <input type=datetime-local> in Vietnam time. */
function dayInDays(n: number): string {
  const d = new Date(Date.now() + n * 86400000);
  return `${d.toLocaleDateString('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' })}T08:00`;
}

/** An ISO time as the value of an <input type=datetime-local> in Vietnam time (UTC+7, no daylight saving). */
function vnLocal(iso: string): string {
  return new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 16);
}

/** A datetime-local value read as Vietnam time (UTC+7 all year: no daylight saving). */
export function vnIso(local: string): string {
  return `${local.length === 16 ? `${local}:00` : local}+07:00`;
}

export class ReceiptForm {
  readonly code = input('dossierCode', { maxLength: 64, required: true, placeholder: '000.00.21.H30-261122-0001' });
  readonly name = input('name', { maxLength: 200, required: true });
  readonly idNumber = input('idNumber', { maxLength: 12, inputMode: 'numeric' });
  readonly dob = input('dob', { type: 'date' });
  readonly address = input('address', { maxLength: 300 });
  readonly phone = input('phone', { maxLength: 30, type: 'tel' });
  readonly email = input('email', { maxLength: 120, type: 'email' });
  readonly request = h('textarea', { name: 'request', 'data-field': 'request', rows: 2, maxLength: 1000, required: true });
  readonly sets = input('sets', { type: 'number', min: 1, max: 99, value: 1 });
  readonly processingTime = input('processingTime', { maxLength: 120, value: '10 ngày làm việc' });
  readonly appointment = input('appointmentAt', { type: 'datetime-local', value: dayInDays(14), required: true });
  readonly returnMethod = h('select', { name: 'returnMethod', 'data-field': 'returnMethod' }, h('option', { value: 'counter' }, t('atCounter')), h('option', { value: 'post' }, t('byPost')));
  readonly fee = input('fee', { type: 'number', min: 0, value: 0 });
  readonly format = h('select', { name: 'format', 'data-field': 'format' }, h('option', { value: 'thermal' }, t('thermal')), h('option', { value: 'a4' }, t('a4')));
  readonly copies = h('select', { name: 'copies', 'data-field': 'copies' }, h('option', { value: '2' }, t('twoCopies')), h('option', { value: '1' }, t('oneCopy')));
  readonly procedure = new ProcedurePicker();
  private readonly appointmentNote = h('p', { class: 'c-hint', 'data-testid': 'appointment-note' });
  private readonly feesEl = h('div', { class: 'c-fees', 'data-testid': 'fee-lines' });
  private feeRows: FeeRow[] = [];
  private readonly payment = h('div', { class: 'c-payment', 'data-testid': 'payment' });
  private readonly rows: ComponentRow[] = [];
  private readonly rowsEl = h('div', { class: 'c-components', 'data-testid': 'components' });
  private readonly preview = h('div', { class: 'c-preview', 'data-testid': 'receipt-preview' });
  private readonly status = statusLine('receipt-status');
  private readonly scanNote = h('p', { class: 'c-status', 'data-testid': 'cccd-note' });
  readonly el: HTMLElement;
  /** Called after a reception was recorded (the digitising panel takes the code and components). */
  onReceived: (code: string) => void = () => undefined;

  constructor() {
    this.addRow('Tờ khai', 1, 0);
    this.procedure.onPick = (p) => void this.follow(p);
    this.appointment.addEventListener('change', () => this.showAppointment());
    this.showAppointment();
    this.el = h(
      'form',
      { class: 'panel c-receipt', 'data-testid': 'receipt-form', onsubmit: (e: Event) => (e.preventDefault(), void this.submit()) },
      h('h2', {}, t('receipt')),
      field(t('dossierCode'), this.code),
      this.procedure.el,
      h('h3', {}, t('applicant')),
      this.scanNote,
      h('div', { class: 'c-grid2' }, field(t('name'), this.name), field(t('idNumberCheck'), this.idNumber), field(t('dob'), this.dob), field(t('phone'), this.phone)),
      field(t('address'), this.address),
      field(t('email'), this.email),
      field(t('request'), this.request),
      h('h3', {}, t('components')),
      this.rowsEl,
      h('button', { type: 'button', class: 'secondary', onclick: () => this.addRow('', 1, 0) }, t('addComponent')),
      h('div', { class: 'c-grid2' }, field(t('sets'), this.sets), field(t('processingTime'), this.processingTime), h('div', {}, field(t('appointment'), this.appointment), this.appointmentNote), field(t('returnMethod'), this.returnMethod), field(t('fee'), this.fee), field(t('format'), this.format), field(t('receiptCopies'), this.copies)),
      this.feesEl,
      h('button', { type: 'submit', class: 'good', 'data-testid': 'print-receipt' }, t('printReceipt')),
      this.status.el,
      this.payment,
      this.preview,
    );
  }

  components(): NonNullable<ReceiveBody['components']> {
    return this.rows
      .filter((r) => r.tick.checked)
      .map((r) => ({ name: r.name.value.trim(), originals: Number(r.originals.value) || 0, copies: Number(r.copies.value) || 0 }))
      .filter((c) => c.name);
  }

  /** The form follows the procedure picked: request, papers to tick, processing time, appointment, fees. */
  private async follow(p: Procedure | null): Promise<void> {
    const previous = this.request.dataset.fromProcedure;
    if (!this.request.value.trim() || this.request.value === previous) this.request.value = p?.name ?? '';
    this.request.dataset.fromProcedure = p?.name ?? '';
    this.rows.splice(0);
    if (p) for (const c of p.components) this.addRow(c.name, c.originals, c.copies, c.required !== false, c.note, true);
    else this.addRow('Tờ khai', 1, 0);
    this.drawRows();
    this.feeRows = (p?.fees ?? []).map((f) => ({ name: f.name, amount: input('feeLine', { type: 'number', min: 0, step: 1000, value: f.amount ?? '', required: f.amount === null, placeholder: t('feeOpen') }) }));
    for (const f of this.feeRows) f.amount.addEventListener('input', () => this.sumFees());
    this.fee.readOnly = this.feeRows.length > 0;
    render(this.feesEl, this.feeRows.map((f) => field(f.name, f.amount)));
    this.sumFees();
    if (!p) return;
    this.processingTime.value = processingTimeVi(p);
    try {
      const a = await appointmentFor(p);
      this.appointment.value = vnLocal(a.appointmentAt);
      this.showAppointment(a.skipped.length ? t('appointmentSkipped', { days: skippedText(a.skipped) }) : '');
    } catch {
      this.appointmentNote.textContent = t('appointmentFailed');
    }
  }

  /** The appointment's weekday beside it, and which days were not counted. */
  private showAppointment(skipped = ''): void {
    const v = this.appointment.value;
    render(this.appointmentNote, v ? h('strong', {}, weekdayDate(vnIso(v), i18n.lang, true)) : '', skipped ? h('span', { class: 'muted' }, ` · ${skipped}`) : '');
  }

  private sumFees(): void {
    if (!this.feeRows.length) return;
    this.fee.value = String(this.feeRows.reduce((a, f) => a + (Number(f.amount.value) || 0), 0));
  }

  private addRow(name: string, originals: number, copies: number, ticked = true, note?: string, fixed = false): void {
    const row: ComponentRow = {
      fixed,
      tick: input('received', { type: 'checkbox', checked: ticked, title: note ?? '' }),
      ...(note || !ticked ? { note: note ?? t('optional') } : {}),
      name: input('componentName', { value: name, maxLength: 200, placeholder: t('componentName') }),
      originals: input('originals', { type: 'number', min: 0, max: 99, value: originals, title: t('originals') }),
      copies: input('copies', { type: 'number', min: 0, max: 99, value: copies, title: t('copies') }),
    };
    this.rows.push(row);
    this.drawRows();
  }

  private drawRows(): void {
    render(
      this.rowsEl,
      h('div', { class: 'c-comp-row c-comp-head muted' }, h('span', {}), h('span', {}, t('componentName')), h('span', {}, t('originals')), h('span', {}, t('copies')), h('span', {})),
      this.rows.map((r, i) =>
        h(
          'div',
          { class: 'c-comp-row' },
          r.tick,
          r.fixed ? h('label', { class: 'c-comp-name', for: '' }, h('span', { 'data-testid': 'component-text' }, r.name.value), r.note ? h('small', { class: 'muted' }, r.note) : '') : r.name,
          r.originals,
          r.copies,
          h('button', { type: 'button', class: 'secondary', title: t('remove'), 'aria-label': t('remove'), onclick: () => (this.rows.splice(i, 1), this.drawRows()) }, '✕'),
        ),
      ),
    );
  }

  /** A scanned CCCD fills the applicant. The data is personal: it stays in the form, never logged. */
  fillFromCitizen(c: CitizenId | null, ok: boolean): void {
    if (!ok || !c) {
      this.scanNote.className = 'c-status bad';
      this.scanNote.textContent = t('cccdBad');
      return;
    }
    this.name.value = c.fullName ?? '';
    this.idNumber.value = c.idNumber ?? '';
    this.dob.value = c.dateOfBirth ?? '';
    this.address.value = c.address ?? '';
    this.scanNote.className = 'c-status ok';
    this.scanNote.textContent = t('cccdFilled');
  }

  /** The receipt data (Mẫu 01). The ID number is only for the clerk to check: it is not on the receipt. */
  body(): ReceiveBody {
    const applicant: Applicant = { name: this.name.value.trim() };
    if (this.address.value.trim()) applicant.address = this.address.value.trim();
    if (this.phone.value.trim()) applicant.phone = this.phone.value.trim();
    if (this.email.value.trim()) applicant.email = this.email.value.trim();
    const fee = Number(this.fee.value) || 0;
    const p = this.procedure.picked;
    return {
      applicant,
      ...(p ? { procedureCode: p.code } : {}),
      ...(this.feeRows.length ? { fees: this.feeRows.map((f) => ({ name: f.name, amount: Number(f.amount.value) || 0 })) } : {}),
      request: this.request.value.trim(),
      components: this.components(),
      sets: Number(this.sets.value) || 1,
      processingTime: this.processingTime.value.trim(),
      appointmentAt: vnIso(this.appointment.value),
      // The selects offer only the values the agent accepts.
      returnMethod: this.returnMethod.value as ReturnMethod,
      clerk: clerk.value.trim(),
      ...(fee ? { fee } : {}),
      copies: Number(this.copies.value) as ReceiveBody['copies'],
      format: this.format.value as ReceiveBody['format'],
    };
  }

  /** After a receipt with a fee: the clerk records how it was paid (cash, the VietQR transfer, a card). */
  offerPayment(code: string, amount: number): void {
    if (!amount) return render(this.payment);
    const line = statusLine('payment-status');
    const reference = input('reference', { maxLength: 100, placeholder: t('paymentReference') });
    const pay = async (method: 'cash' | 'transfer' | 'pos') => {
      try {
        await post(`/dossiers/${encodeURIComponent(code)}/fees/paid`, { method, amount, ...(reference.value.trim() ? { reference: reference.value.trim() } : {}), ...(clerk.value.trim() ? { clerk: clerk.value.trim() } : {}) });
        render(this.payment, h('p', { class: 'c-status ok', 'data-testid': 'payment-status' }, `${t('paidOk')}: ${money(amount)} đồng`));
      } catch (err) {
        line.fail(err);
      }
    };
    render(
      this.payment,
      h('p', { class: 'c-status warn' }, t('feeDue', { amount: money(amount) })),
      reference,
      h(
        'div',
        { class: 'c-row' },
        h('button', { type: 'button', 'data-testid': 'paid-cash', onclick: () => void pay('cash') }, t('paidCash')),
        h('button', { type: 'button', 'data-testid': 'paid-transfer', onclick: () => void pay('transfer') }, t('paidTransfer')),
        h('button', { type: 'button', 'data-testid': 'paid-pos', onclick: () => void pay('pos') }, t('paidPos')),
      ),
      line.el,
    );
  }

  async submit(): Promise<void> {
    const code = this.code.value.trim();
    this.status.clear();
    render(this.preview);
    render(this.payment);
    if (!code) return this.status.fail(new Error(t('needCode')));
    if (!clerk.value.trim()) return this.status.fail(new Error(t('needClerk')));
    try {
      const r = await post<FlowAnswer>(`/dossiers/${encodeURIComponent(code)}/receive`, this.body());
      this.status.ok(`${t('sent')}: ${code}`);
      this.onReceived(code);
      this.offerPayment(code, Number(this.fee.value) || 0);
      await showPrintout(this.preview, r.printJobId, this.format.value === 'a4');
    } catch (err) {
      this.status.fail(err);
    }
  }
}

/** Shows a print job's result: the raster preview (what the thermal printer gets) or the A4 PDF link. */
export async function showPrintout(box: HTMLElement, jobId: string, a4: boolean): Promise<void> {
  const state = h('p', { class: 'muted', 'data-testid': 'job-state' });
  const base = `${API}/print/jobs/${encodeURIComponent(jobId)}`;
  render(
    box,
    h('h3', {}, t('preview')),
    state,
    a4
      ? h('a', { class: 'btn', href: withToken(`${base}/document.pdf`), target: '_blank', 'data-testid': 'receipt-pdf' }, t('openPdf'))
      : h('img', { src: withToken(`${base}/preview.png`), alt: t('preview'), 'data-testid': 'receipt-preview-img', 'data-job': jobId }),
  );
  // Follow the job until the printer has answered (printed, failed, waiting…), at most a minute.
  for (let i = 0; i < 120; i++) {
    try {
      const job = await get<PrintJob>(`/print/jobs/${encodeURIComponent(jobId)}`);
      state.textContent = t('jobState', { s: job.state }) + (job.errorVi ? ` — ${job.errorVi}` : '');
      if (job.state !== 'queued' && job.state !== 'printing') return;
    } catch {
      return; // the preview is still there
    }
    if (!box.isConnected) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
