/**
 * What this desk received and returned: enough to answer a kiosk look-up when the central
 * system is unreachable. The applicant's name is kept only to print the result slip and is
 * never part of a look-up answer; the full receipt travels in the event.
 */
import type { Db } from '../store/db.ts';
import type { Vault } from '../security/vault.ts';
import type { LocalDossier } from './schemas.ts';

export interface DossierRow {
  code: string;
  received_at: string;
  appointment_at: string;
  return_method: 'counter' | 'post';
  applicant_name: string;
  received_event_id: string;
  receipt_job_id: string;
  returned_at: string | null;
  returned_method: 'counter' | 'post' | null;
  postal_item: string | null;
  returned_event_id: string | null;
  slip_job_id: string | null;
  /** Fee due, VND (null: none charged). */
  fee: number | null;
  fee_paid_at: string | null;
  fee_method: string | null;
}

export class DossierStore {
  constructor(
    private readonly db: Db,
    /** Encrypts the applicant's name at rest (personal data); absent in unit tests. */
    private readonly vault?: Vault,
  ) {}

  /** Erases applicants' names of dossiers received before `before` and never returned here (retention). */
  purgeNames(before: Date): number {
    return this.db.prepare("UPDATE dossiers SET applicant_name = '' WHERE applicant_name != '' AND received_at != '' AND received_at < ?").run(before.toISOString()).changes;
  }

  get(code: string): DossierRow | undefined {
    const row = this.db.prepare('SELECT * FROM dossiers WHERE code = ?').get(code) as DossierRow | undefined;
    if (row?.applicant_name.startsWith('v1:') && this.vault) {
      try {
        row.applicant_name = this.vault.openString(row.applicant_name, row.code) ?? '';
      } catch {
        // Another key (a data dir moved without its key file): the name is unknown here, as for a
        // dossier received at another desk; the clerk types it on return.
        row.applicant_name = '';
      }
    }
    return row;
  }

  insertReceived(r: Pick<DossierRow, 'code' | 'received_at' | 'appointment_at' | 'return_method' | 'applicant_name' | 'received_event_id' | 'receipt_job_id'> & { fee?: number | null }): void {
    this.db
      .prepare('INSERT INTO dossiers (code, received_at, appointment_at, return_method, applicant_name, received_event_id, receipt_job_id, fee) VALUES (@code, @received_at, @appointment_at, @return_method, @applicant_name, @received_event_id, @receipt_job_id, @fee)')
      .run({ fee: null, ...r, applicant_name: this.vault && r.applicant_name ? this.vault.sealString(r.applicant_name, r.code) : r.applicant_name });
  }

  /** Records a return; the row is created when the dossier was received at another desk. */
  upsertReturned(r: Pick<DossierRow, 'code' | 'returned_at' | 'returned_method' | 'postal_item' | 'returned_event_id' | 'slip_job_id'>): void {
    const res = this.db
      // The name was kept only to print the result slip: once returned it leaves this desk.
      .prepare("UPDATE dossiers SET returned_at = @returned_at, returned_method = @returned_method, postal_item = @postal_item, returned_event_id = @returned_event_id, slip_job_id = @slip_job_id, applicant_name = '' WHERE code = @code")
      .run(r);
    if (res.changes === 0) {
      this.db
        .prepare(`INSERT INTO dossiers (code, received_at, appointment_at, return_method, applicant_name, received_event_id, receipt_job_id, returned_at, returned_method, postal_item, returned_event_id, slip_job_id)
                  VALUES (@code, '', '', @returned_method, '', '', '', @returned_at, @returned_method, @postal_item, @returned_event_id, @slip_job_id)`)
        .run(r);
    }
  }

  markFeePaid(code: string, paidAt: string, method: string): void {
    this.db.prepare('UPDATE dossiers SET fee_paid_at = ?, fee_method = ? WHERE code = ?').run(paidAt, method, code);
  }

  local(code: string): LocalDossier | null {
    const r = this.get(code);
    if (!r) return null;
    const out: LocalDossier = r.received_at ? { receivedAt: r.received_at, appointmentAt: r.appointment_at, returnMethod: r.return_method, receiptPrintJobId: r.receipt_job_id } : {};
    if (r.returned_at) out.returnedAt = r.returned_at;
    if (r.returned_method) out.returnedBy = r.returned_method;
    if (r.postal_item) out.postalItem = r.postal_item;
    if (r.fee) out.fee = r.fee;
    if (r.fee_paid_at) out.feePaidAt = r.fee_paid_at;
    return out;
  }
}
