/** The print spool: one row per job, its state and outcome. Versions are the 1-based index: append new steps, never edit applied ones. */
export const PRINTING_MIGRATIONS = [
  `CREATE TABLE print_jobs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     printer TEXT NOT NULL,
     template TEXT NOT NULL,
     format TEXT NOT NULL CHECK (format IN ('thermal','a4')),
     data TEXT NOT NULL,
     subject TEXT,
     state TEXT NOT NULL CHECK (state IN ('queued','printing','printed','failed','waiting','interrupted')),
     code TEXT,
     error TEXT,
     error_vi TEXT,
     guarantee TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     printed_at TEXT
   );
   CREATE INDEX print_jobs_printer_state ON print_jobs(printer, state, seq);`,
  // Personal data in template data is erased after printing.keepDataDays.
  `ALTER TABLE print_jobs ADD COLUMN purged_at TEXT;`,
  // Health asks for waiting jobs on every call: by state, without scanning the table.
  `CREATE INDEX print_jobs_state ON print_jobs(state, seq);`,
];
