/** Stored tokens, seen central JWT ids and the audit log. Versions are the 1-based index: append new steps, never edit applied ones. */
export const SECURITY_MIGRATIONS = [
  `CREATE TABLE tokens (
     name TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     created_at TEXT NOT NULL,
     revoked_at TEXT
   );
   CREATE TABLE jwt_seen (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL);
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     who TEXT NOT NULL,
     action TEXT NOT NULL,
     subject TEXT,
     detail TEXT
   );
   CREATE INDEX audit_at ON audit(at);`,
];
