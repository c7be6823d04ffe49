/** What this desk received and returned. Versions are the 1-based index: append new steps, never edit applied ones. */
export const DOSSIER_MIGRATIONS = [
  `CREATE TABLE dossiers (
     code TEXT PRIMARY KEY,
     received_at TEXT NOT NULL,
     appointment_at TEXT NOT NULL,
     return_method TEXT NOT NULL,
     applicant_name TEXT NOT NULL,
     received_event_id TEXT NOT NULL,
     receipt_job_id TEXT NOT NULL,
     returned_at TEXT,
     returned_method TEXT,
     postal_item TEXT,
     returned_event_id TEXT,
     slip_job_id TEXT
   );`,
  // Fees (procedure catalogue): what was due and when it was paid, for the fee route and the slip.
  `ALTER TABLE dossiers ADD COLUMN fee INTEGER;
   ALTER TABLE dossiers ADD COLUMN fee_paid_at TEXT;
   ALTER TABLE dossiers ADD COLUMN fee_method TEXT;`,
];
