/** Scan sessions and their documents in SQLite (concern `digitise`). */
import type { Db } from '../store/db.ts';
import type { DocumentState, Problem, SessionState } from './schemas.ts';

export interface SessionRow {
  id: string;
  dossierCode: string;
  scanner: string;
  profile: string;
  components: string[] | null;
  state: SessionState;
  pages: number;
  kept: number;
  blanks: number;
  separators: number;
  error: Problem | null;
  warnings: Problem[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface DocumentRow {
  id: string;
  sessionId: string;
  seq: number;
  component: string;
  name: string;
  path: string;
  pages: number;
  size: number | null;
  sha256: string | null;
  state: DocumentState;
  uploadUrl: string | null;
  uploadedAt: string | null;
  deletedAt: string | null;
  deleteReason: string | null;
  createdAt: string;
}

const toSession = (r: any): SessionRow => ({
  id: r.id,
  dossierCode: r.dossier_code,
  scanner: r.scanner,
  profile: r.profile,
  components: r.components ? JSON.parse(r.components) : null,
  state: r.state,
  pages: r.pages,
  kept: r.kept,
  blanks: r.blanks,
  separators: r.separators,
  error: r.error ? JSON.parse(r.error) : null,
  warnings: JSON.parse(r.warnings),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
});

const toDocument = (r: any): DocumentRow => ({
  id: r.id,
  sessionId: r.session_id,
  seq: r.seq,
  component: r.component,
  name: r.name,
  path: r.path,
  pages: r.pages,
  size: r.size,
  sha256: r.sha256,
  state: r.state,
  uploadUrl: r.upload_url,
  uploadedAt: r.uploaded_at,
  deletedAt: r.deleted_at,
  deleteReason: r.delete_reason,
  createdAt: r.created_at,
});

export class ScanStore {
  /** Session updates run once per page: their statements are prepared once per column set. */
  private readonly updates = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private readonly db: Db) {}


  /** Sessions a crash or restart left unfinished: their open PDFs are gone, so they end as failed. */
  interruptedSessions(): SessionRow[] {
    return (this.db.prepare(`SELECT * FROM scan_sessions WHERE state IN ('scanning','paused')`).all() as any[]).map(toSession);
  }

  insertSession(s: Pick<SessionRow, 'id' | 'dossierCode' | 'scanner' | 'profile' | 'components'>, now: string): void {
    this.db
      .prepare(`INSERT INTO scan_sessions (id, dossier_code, scanner, profile, components, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'scanning', ?, ?)`)
      .run(s.id, s.dossierCode, s.scanner, s.profile, s.components ? JSON.stringify(s.components) : null, now, now);
  }

  getSession(id: string): SessionRow | undefined {
    const r = this.db.prepare('SELECT * FROM scan_sessions WHERE id = ?').get(id);
    return r ? toSession(r) : undefined;
  }

  updateSession(id: string, patch: Partial<Pick<SessionRow, 'state' | 'pages' | 'kept' | 'blanks' | 'separators' | 'error' | 'warnings' | 'completedAt'>>, now: string): void {
    const cols: string[] = ['updated_at = @updatedAt'];
    const vals: Record<string, unknown> = { id, updatedAt: now };
    const map: Record<string, string> = { state: 'state', pages: 'pages', kept: 'kept', blanks: 'blanks', separators: 'separators', error: 'error', warnings: 'warnings', completedAt: 'completed_at' };
    for (const [k, v] of Object.entries(patch)) {
      cols.push(`${map[k]} = @${k}`);
      vals[k] = k === 'error' || k === 'warnings' ? (v == null ? null : JSON.stringify(v)) : v;
    }
    const sql = `UPDATE scan_sessions SET ${cols.join(', ')} WHERE id = @id`;
    let stmt = this.updates.get(sql);
    if (!stmt) this.updates.set(sql, (stmt = this.db.prepare(sql)));
    stmt.run(vals);
  }

  insertDocument(d: Pick<DocumentRow, 'id' | 'sessionId' | 'seq' | 'component' | 'name' | 'path'>, now: string): void {
    this.db
      .prepare(`INSERT INTO scan_documents (id, session_id, seq, component, name, path, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'writing', ?)`)
      .run(d.id, d.sessionId, d.seq, d.component, d.name, d.path, now);
  }

  documents(sessionId: string): DocumentRow[] {
    return (this.db.prepare('SELECT * FROM scan_documents WHERE session_id = ? ORDER BY seq').all(sessionId) as any[]).map(toDocument);
  }

  getDocument(sessionId: string, id: string): DocumentRow | undefined {
    const r = this.db.prepare('SELECT * FROM scan_documents WHERE session_id = ? AND id = ?').get(sessionId, id);
    return r ? toDocument(r) : undefined;
  }

  finishDocument(id: string, r: { pages: number; size: number; sha256: string }): void {
    this.db.prepare(`UPDATE scan_documents SET pages = ?, size = ?, sha256 = ?, state = 'ready' WHERE id = ?`).run(r.pages, r.size, r.sha256, id);
  }

  setDocumentState(id: string, state: DocumentState, extra: { uploadUrl?: string | null; uploadedAt?: string; deletedAt?: string; deleteReason?: string } = {}): void {
    this.db
      .prepare(
        `UPDATE scan_documents SET state = @state, upload_url = COALESCE(@uploadUrl, upload_url), uploaded_at = COALESCE(@uploadedAt, uploaded_at),
         deleted_at = COALESCE(@deletedAt, deleted_at), delete_reason = COALESCE(@deleteReason, delete_reason) WHERE id = @id`,
      )
      .run({ id, state, uploadUrl: extra.uploadUrl ?? null, uploadedAt: extra.uploadedAt ?? null, deletedAt: extra.deletedAt ?? null, deleteReason: extra.deleteReason ?? null });
  }

  setUploadUrl(id: string, url: string | null): void {
    this.db.prepare('UPDATE scan_documents SET upload_url = ? WHERE id = ?').run(url, id);
  }

  /** Finished documents of completed sessions still waiting for the central side. */
  pendingUploads(): (DocumentRow & { dossierCode: string })[] {
    return (
      this.db
        .prepare(`SELECT d.*, s.dossier_code AS dossier FROM scan_documents d JOIN scan_sessions s ON s.id = d.session_id WHERE d.state = 'ready' AND s.state = 'completed' ORDER BY d.created_at, d.seq`)
        .all() as any[]
    ).map((r) => ({ ...toDocument(r), dossierCode: r.dossier }));
  }

  /** Documents whose file is still on disk and older than `before` (ISO). */
  expiredDocuments(before: string): (DocumentRow & { dossierCode: string })[] {
    return (
      this.db
        .prepare(`SELECT d.*, s.dossier_code AS dossier FROM scan_documents d JOIN scan_sessions s ON s.id = d.session_id WHERE d.state IN ('ready','writing') AND d.deleted_at IS NULL AND s.state NOT IN ('scanning','paused') AND d.created_at < ? ORDER BY d.created_at`)
        .all(before) as any[]
    ).map((r) => ({ ...toDocument(r), dossierCode: r.dossier }));
  }

  /** Sessions older than `before` whose directory (thumbnails) may go. */
  oldSessions(before: string): SessionRow[] {
    return (this.db.prepare(`SELECT * FROM scan_sessions WHERE created_at < ? AND state NOT IN ('scanning','paused')`).all(before) as any[]).map(toSession);
  }
}
