/** Scan sessions and the documents they produced. Versions are the 1-based index: append new steps, never edit applied ones. */
export const DIGITISE_MIGRATIONS = [
  `CREATE TABLE scan_sessions (
     id TEXT PRIMARY KEY, dossier_code TEXT NOT NULL, scanner TEXT NOT NULL, profile TEXT NOT NULL,
     components TEXT, state TEXT NOT NULL, pages INTEGER NOT NULL DEFAULT 0, kept INTEGER NOT NULL DEFAULT 0,
     blanks INTEGER NOT NULL DEFAULT 0, separators INTEGER NOT NULL DEFAULT 0, error TEXT, warnings TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT);
   CREATE TABLE scan_documents (
     id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES scan_sessions(id), seq INTEGER NOT NULL,
     component TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, pages INTEGER NOT NULL DEFAULT 0,
     size INTEGER, sha256 TEXT, state TEXT NOT NULL, upload_url TEXT, uploaded_at TEXT,
     deleted_at TEXT, delete_reason TEXT, created_at TEXT NOT NULL);
   CREATE INDEX scan_documents_session ON scan_documents(session_id, seq);
   CREATE INDEX scan_documents_state ON scan_documents(state, created_at);`,
];
