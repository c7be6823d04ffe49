/** Who (token name) read which dossier or scan, and when. Read through GET /api/v1/audit (admin). */
import type { Db } from '../store/db.ts';

export interface AuditEntry {
  id: number;
  at: string;
  who: string;
  action: string;
  subject: string | null;
  detail: string | null;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  record(who: string, action: string, subject?: string, detail?: string): void {
    this.db.prepare('INSERT INTO audit (at, who, action, subject, detail) VALUES (?, ?, ?, ?, ?)').run(new Date().toISOString(), who, action, subject ?? null, detail ?? null);
  }

  list(opts: { limit: number; beforeId?: number; subject?: string }): AuditEntry[] {
    return this.db
      .prepare(
        `SELECT id, at, who, action, subject, detail FROM audit
         WHERE (@beforeId IS NULL OR id < @beforeId) AND (@subject IS NULL OR subject = @subject)
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({ limit: opts.limit, beforeId: opts.beforeId ?? null, subject: opts.subject ?? null }) as AuditEntry[];
  }
}
