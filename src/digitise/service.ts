/**
 * Scan sessions: a clerk scans a dossier's originals; pages stream in, are analysed (separator,
 * blank), and go into one PDF per component. A scanner error (jam, cover open, empty feeder)
 * pauses the session; the clerk fixes the paper and continues the same session, or finishes it.
 * A completed session records `hcc.dossier.digitised` in the outbox; the upload component then
 * hands the files to the central side and deletes them.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DocumentScanner, ScannedPage } from '../../drivers/contracts.ts';
import { ScanError } from '../../drivers/contracts.ts';
import type { Config } from '../config/schema.ts';
import type { Db } from '../store/db.ts';
import type { Events } from '../events.ts';
import type { DeviceManager } from '../devices.ts';
import { conflict, invalid, notFound, type DomainError } from '../errors.ts';
import { parseDossierCode } from '../dossier/codes.ts';
import { resolveProfile, type ScanProfile } from './config.ts';
import { PageAnalyser } from './analyse.ts';
import { processPage, type PageKind } from './process.ts';
import { PdfWriter, plainSink, type SinkFactory } from './pdf.ts';
import type { Vault } from '../security/vault.ts';
import { checkOcr, ocrWords, type OcrAvailability } from './ocr.ts';
import { ScanStore, type DocumentRow } from './store.ts';
import type { Problem, ScanSession, StartScanBody } from './schemas.ts';
import { ScanUploader } from './upload.ts';

/** Pages before any separator sheet belong to this component when the request named none. */
export const DEFAULT_COMPONENT = 'Tài liệu';

const ERROR_TEXT: Record<string, { en: string; vi: string }> = {
  jam: { en: 'Paper jam: clear the feeder, put the remaining sheets back and continue', vi: 'Kẹt giấy: gỡ giấy kẹt, đặt lại các tờ còn lại và bấm tiếp tục' },
  'cover-open': { en: 'Scanner cover open: close it and continue', vi: 'Nắp máy quét đang mở: đóng nắp và bấm tiếp tục' },
  'no-documents': { en: 'No paper in the feeder: load the sheets and continue, or finish', vi: 'Khay nạp không có giấy: đặt giấy và bấm tiếp tục, hoặc kết thúc' },
  busy: { en: 'Scanner busy: wait and continue', vi: 'Máy quét đang bận: chờ rồi bấm tiếp tục' },
  offline: { en: 'Scanner offline: check its cable or network and continue', vi: 'Máy quét mất kết nối: kiểm tra cáp hoặc mạng rồi bấm tiếp tục' },
  io: { en: 'Scanner error: check the scanner and continue', vi: 'Lỗi máy quét: kiểm tra máy và bấm tiếp tục' },
};

interface OpenDocument {
  id: string;
  writer: PdfWriter;
}

interface Active {
  id: string;
  dossierCode: string;
  scannerId: string;
  scanner: DocumentScanner;
  profileName: string;
  profile: ScanProfile;
  components: string[] | null;
  dir: string;
  current: string;
  writers: Map<string, OpenDocument>;
  seq: number;
  pages: number;
  kept: number;
  blanks: number;
  separators: number;
  warnings: Problem[];
  ocr: OcrAvailability | null;
  startedAt: Date;
  abort: AbortController | null;
  running: Promise<void> | null;
  /** A finish writing the PDFs: the session is busy until it settles (a second finish/continue/cancel gets 409). */
  finishing: Promise<void> | null;
  cancelRequested: boolean;
}

export interface DigitiseDeps {
  config: Config;
  dataDir: string;
  db: Db;
  events: Events;
  devices: DeviceManager;
  log: Logger;
  /** Encrypts scan files at rest (PDFs and thumbnails); without it they are plain owner-only files. */
  vault?: Vault;
  now?: () => Date;
}

export class DigitiseService {
  readonly name = 'digitise';
  readonly store: ScanStore;
  readonly uploader: ScanUploader;
  private readonly analyser = new PageAnalyser();
  private readonly active = new Map<string, Active>();
  private readonly busy = new Set<string>();
  private readonly now: () => Date;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly sink: SinkFactory;

  constructor(private readonly deps: DigitiseDeps) {
    this.store = new ScanStore(deps.db);
    this.now = deps.now ?? (() => new Date());
    const vault = deps.vault;
    this.sink = vault ? (path) => vault.createEncryptedFile(path) : plainSink;
    this.uploader = new ScanUploader(this.store, deps.events, deps.config.digitise.upload, deps.log.child({ component: 'scan-upload' }), this.now, (path) => this.openFile(path));
  }

  get scansDir(): string {
    return join(this.deps.dataDir, 'scans');
  }

  async start(): Promise<void> {
    await mkdir(this.scansDir, { recursive: true, mode: 0o700 });
    for (const s of this.store.interruptedSessions()) {
      for (const d of this.store.documents(s.id)) {
        if (d.state === 'writing') {
          await rm(d.path, { force: true });
          this.store.setDocumentState(d.id, 'discarded', { deletedAt: this.now().toISOString(), deleteReason: 'interrupted' });
        }
      }
      this.store.updateSession(s.id, { state: 'failed', error: { code: 'interrupted', message: 'the agent stopped during this session', messageVi: 'phần mềm đã dừng khi đang quét' } }, this.now().toISOString());
    }
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep().catch((err) => this.deps.log.error({ err }, 'scan retention sweep failed')), 3_600_000);
    this.sweepTimer.unref();
    this.uploader.start();
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const s of [...this.active.values()]) await this.cancel(s.id).catch(() => undefined);
    await this.uploader.stop();
    await this.analyser.close();
  }

  // ------------------------------------------------------------------ API

  async startSession(req: StartScanBody): Promise<string> {
    const cfg = this.deps.config.digitise;
    // Scans are kept, uploaded and signed under this code: only a dossier code (or a configured pattern) will do.
    if (!parseDossierCode(req.dossierCode, this.deps.config.barcode.dossierPatterns)) {
      throw invalid('bad-dossier-code', `"${req.dossierCode.slice(0, 64)}" is not a dossier code (expected e.g. 000.00.21.H30-261122-0001)`, `"${req.dossierCode.slice(0, 64)}" không phải mã hồ sơ (ví dụ đúng: 000.00.21.H30-261122-0001)`);
    }
    const scannerId = req.scanner || cfg.defaultScanner || this.deps.devices.ofType('document-scanner')[0]?.id;
    if (!scannerId) throw conflict('no-scanner', 'no document scanner is configured', 'Chưa cấu hình máy quét tài liệu');
    const dev = this.deps.devices.get(scannerId);
    if (!dev || dev.type !== 'document-scanner') throw notFound(`document scanner ${scannerId}`, `máy quét ${scannerId}`);
    if (this.busy.has(scannerId)) throw conflict('scanner-busy', `scanner ${scannerId} is scanning for another session`, `Máy quét ${scannerId} đang quét cho phiên khác`);
    const profileName = req.profile ?? cfg.defaultProfile;
    const profile = resolveProfile(cfg, profileName);
    if (!profile) throw invalid('unknown-profile', `no scan profile named ${profileName}`, `Không có cấu hình quét ${profileName}`);

    // Start the analysis worker as the session opens, not at agent start (a kiosk may never scan)
    // and not on the first page (the clerk would wait for it).
    void this.analyser.start().catch((err) => this.deps.log.error({ err }, 'page analyser failed to start'));
    const id = randomUUID();
    const dir = join(this.scansDir, id);
    await mkdir(join(dir, 'thumbs'), { recursive: true, mode: 0o700 });
    const startedAt = this.now();
    this.store.insertSession({ id, dossierCode: req.dossierCode, scanner: scannerId, profile: profileName, components: req.components ?? null }, startedAt.toISOString());
    const s: Active = {
      id,
      dossierCode: req.dossierCode,
      scannerId,
      scanner: dev,
      profileName,
      profile,
      components: req.components ?? null,
      dir,
      current: req.components?.[0] ?? DEFAULT_COMPONENT,
      writers: new Map(),
      seq: 0,
      pages: 0,
      kept: 0,
      blanks: 0,
      separators: 0,
      warnings: [],
      ocr: null,
      startedAt,
      abort: null,
      running: null,
      finishing: null,
      cancelRequested: false,
    };
    this.active.set(id, s);
    this.runBatch(s);
    return id;
  }

  /** After a scanner error: scan again into the same session (same documents, same current component). */
  continue(id: string): void {
    const s = this.pausedSession(id);
    this.runBatch(s);
  }

  /** Ends a paused session with what was scanned so far. */
  async finish(id: string): Promise<void> {
    const s = this.pausedSession(id);
    s.finishing = this.complete(s).finally(() => {
      s.finishing = null;
    });
    await s.finishing;
  }

  async cancel(id: string): Promise<void> {
    const s = this.active.get(id);
    if (!s) {
      if (!this.store.getSession(id)) throw notFound(`scan session ${id}`, `phiên quét ${id}`);
      throw conflict('session-ended', `scan session ${id} has already ended`, 'Phiên quét đã kết thúc');
    }
    if (s.finishing) throw finishingError(id);
    s.cancelRequested = true;
    if (s.running) {
      s.abort?.abort();
      await s.running;
    } else {
      await this.discard(s);
    }
  }

  /** Resolves when the session is not scanning any more (tests, bench). */
  async settled(id: string): Promise<void> {
    const s = this.active.get(id);
    await s?.running;
    await s?.finishing?.catch(() => undefined);
  }

  view(id: string): ScanSession | undefined {
    const row = this.store.getSession(id);
    if (!row) return undefined;
    const live = this.active.get(id);
    const docs = this.store.documents(id).map((d) => {
      const open = live && [...live.writers.values()].find((w) => w.id === d.id);
      return { id: d.id, component: d.component, name: d.name, pages: open ? open.writer.pages : d.pages, size: d.size, sha256: d.sha256, state: d.state };
    });
    const { error, ...rest } = row;
    return { ...rest, ...(error ? { error } : {}), documents: docs };
  }

  document(id: string, docId: string): DocumentRow | undefined {
    return this.store.getDocument(id, docId);
  }

  thumbPath(id: string, n: number): string {
    return join(this.scansDir, id, 'thumbs', `${n}.jpg`);
  }

  /** A finished document's PDF as plaintext (decrypted when the vault holds it). */
  openFile(path: string): Readable {
    return this.deps.vault ? this.deps.vault.openEncryptedFile(path) : createReadStream(path);
  }

  /** The n-th page's thumbnail JPEG, or undefined when there is none (any more). */
  async thumb(id: string, n: number): Promise<Buffer | undefined> {
    const data = await readFile(this.thumbPath(id, n)).catch(() => undefined);
    if (!data) return undefined;
    return this.deps.vault ? this.deps.vault.decrypt(data, 'scan-thumb') : data;
  }

  // ------------------------------------------------------------------ scanning

  private pausedSession(id: string): Active {
    const s = this.active.get(id);
    if (!s) {
      if (!this.store.getSession(id)) throw notFound(`scan session ${id}`, `phiên quét ${id}`);
      throw conflict('session-ended', `scan session ${id} has already ended`, 'Phiên quét đã kết thúc');
    }
    if (s.running) throw conflict('session-scanning', `scan session ${id} is scanning`, 'Phiên quét đang quét');
    if (s.finishing) throw finishingError(id);
    return s;
  }

  private runBatch(s: Active): void {
    if (this.busy.has(s.scannerId)) throw conflict('scanner-busy', `scanner ${s.scannerId} is scanning for another session`, `Máy quét ${s.scannerId} đang quét cho phiên khác`);
    this.busy.add(s.scannerId);
    s.abort = new AbortController();
    this.store.updateSession(s.id, { state: 'scanning', error: null }, this.now().toISOString());
    s.running = this.batch(s).finally(() => {
      this.busy.delete(s.scannerId);
      s.abort = null;
      s.running = null;
    });
  }

  private async batch(s: Active): Promise<void> {
    try {
      if (s.profile.ocr && !s.ocr) {
        s.ocr = await checkOcr(this.deps.config.digitise.ocrCommand);
        if (!s.ocr.ok) s.warnings.push({ code: 'ocr-unavailable', message: s.ocr.en!, messageVi: s.ocr.vi! });
      }
      const { source, resolution, mode } = s.profile;
      for await (const page of s.scanner.scan({ source, resolution, mode, signal: s.abort!.signal })) {
        if (s.cancelRequested) break;
        await this.handlePage(s, page);
      }
      if (s.cancelRequested) await this.discard(s);
      else await this.complete(s);
    } catch (err) {
      if (s.cancelRequested) {
        await this.discard(s);
      } else if (err instanceof ScanError) {
        this.pause(s, err);
      } else {
        this.deps.log.error({ err, session: s.id }, 'scan session failed');
        await this.discard(s, { code: 'processing', message: `processing failed: ${(err as Error).message}`, messageVi: 'Lỗi xử lý trang quét' });
      }
    }
  }

  private async handlePage(s: Active, page: ScannedPage): Promise<void> {
    const n = ++s.pages;
    const p = await processPage(page, s.profile, this.analyser);
    await writeFile(this.thumbPath(s.id, n), this.deps.vault ? this.deps.vault.encrypt(p.thumb, 'scan-thumb') : p.thumb, { mode: 0o600 });
    let kind: PageKind = p.kind;
    if (p.kind === 'separator') {
      s.separators++;
      s.current = p.component!;
      if (s.components && !s.components.includes(p.component!) && !s.warnings.some((w) => w.code === 'unknown-component' && w.message.endsWith(`"${p.component}"`))) {
        s.warnings.push({ code: 'unknown-component', message: `separator sheet names a component not in the request: "${p.component}"`, messageVi: `Tờ phân cách ghi thành phần không có trong danh sách: "${p.component}"` });
      }
    } else if (p.kind === 'blank') {
      s.blanks++;
    } else {
      const words = s.profile.ocr && s.ocr?.ok ? await this.ocr(s, p.jpeg!, p.dpi) : [];
      const doc = await this.writerFor(s, s.current);
      await doc.writer.addPage(p.jpeg!, p.width, p.height, p.dpi, words);
      s.kept++;
      kind = 'page';
    }
    this.store.updateSession(s.id, { pages: s.pages, kept: s.kept, blanks: s.blanks, separators: s.separators }, this.now().toISOString());
    this.deps.events.publish('hcc.scan.page', s.dossierCode, {
      sessionId: s.id,
      page: n,
      kind,
      component: kind === 'blank' ? undefined : s.current,
      inkRatio: Math.round(p.inkRatio * 10000) / 10000,
      progress: { scanned: s.pages, kept: s.kept, blanks: s.blanks, separators: s.separators },
      thumbnail: `data:image/jpeg;base64,${p.thumb.toString('base64')}`,
      thumbnailUrl: `/api/v1/scans/${s.id}/pages/${n}/thumb.jpg`,
    }, { personal: true }); // the thumbnail shows the citizen's papers
  }

  private async ocr(s: Active, jpeg: Buffer, dpi: number) {
    try {
      return await ocrWords(this.deps.config.digitise.ocrCommand, jpeg, dpi);
    } catch (err) {
      if (!s.warnings.some((w) => w.code === 'ocr-failed')) {
        s.warnings.push({ code: 'ocr-failed', message: `OCR failed on a page, which has no text layer: ${(err as Error).message}`, messageVi: 'Nhận dạng chữ lỗi ở một trang; trang đó không có lớp chữ' });
      }
      return [];
    }
  }

  private async writerFor(s: Active, component: string): Promise<OpenDocument> {
    let doc = s.writers.get(component);
    if (doc) return doc;
    const id = randomUUID();
    const seq = ++s.seq;
    const name = `${slug(s.dossierCode)}_${String(seq).padStart(2, '0')}_${slug(component)}.pdf`;
    const path = join(s.dir, `${id}.pdf`);
    const dev = s.scanner;
    const writer = new PdfWriter(path, { dossierCode: s.dossierCode, component, device: `${dev.id} (${dev.driver})`, scanTime: s.startedAt, agent: this.deps.config.agent.id }, this.sink);
    writer.open();
    this.store.insertDocument({ id, sessionId: s.id, seq, component, name, path }, this.now().toISOString());
    doc = { id, writer };
    s.writers.set(component, doc);
    return doc;
  }

  private pause(s: Active, err: ScanError): void {
    const t = ERROR_TEXT[err.code] ?? ERROR_TEXT.io;
    const problem: Problem = { code: err.code, message: `${t.en} (${err.message})`, messageVi: t.vi };
    this.store.updateSession(s.id, { state: 'paused', error: problem, warnings: s.warnings }, this.now().toISOString());
    this.deps.events.publish('hcc.scan.paused', s.dossierCode, { sessionId: s.id, error: problem, progress: { scanned: s.pages, kept: s.kept, blanks: s.blanks, separators: s.separators } });
  }

  private async complete(s: Active): Promise<void> {
    const finished: { id: string; result: Awaited<ReturnType<PdfWriter['finish']>> }[] = [];
    for (const d of s.writers.values()) finished.push({ id: d.id, result: await d.writer.finish() });
    if (s.kept === 0) s.warnings.push({ code: 'nothing-kept', message: 'no page was kept (all blank or separators)', messageVi: 'Không có trang nào được giữ lại (toàn trang trắng hoặc tờ phân cách)' });
    const completedAt = this.now().toISOString();
    this.deps.events.transaction((tx) => {
      for (const f of finished) this.store.finishDocument(f.id, f.result);
      this.store.updateSession(s.id, { state: 'completed', completedAt, error: null, warnings: s.warnings, pages: s.pages, kept: s.kept, blanks: s.blanks, separators: s.separators }, completedAt);
      const docs = this.store.documents(s.id).map((d) => ({ id: d.id, name: d.name, component: d.component, pages: d.pages, size: d.size, sha256: d.sha256 }));
      const summary = { sessionId: s.id, dossierCode: s.dossierCode, scanner: s.scannerId, profile: s.profileName, scannedAt: s.startedAt.toISOString(), completedAt, pages: { scanned: s.pages, kept: s.kept, blanks: s.blanks, separators: s.separators } };
      if (docs.length) tx.emit('hcc.dossier.digitised', s.dossierCode, { ...summary, documents: docs });
      tx.emit('hcc.scan.completed', s.dossierCode, { ...summary, state: 'completed', documents: docs, warnings: s.warnings }, { forward: false });
    });
    this.active.delete(s.id);
    this.uploader.kick();
  }

  /** Cancelled or failed: partial files go, nothing is handed over. */
  private async discard(s: Active, error?: Problem): Promise<void> {
    for (const d of s.writers.values()) await d.writer.abort();
    const at = this.now().toISOString();
    for (const d of s.writers.values()) this.store.setDocumentState(d.id, 'discarded', { deletedAt: at, deleteReason: error ? 'failed' : 'cancelled' });
    await rm(s.dir, { recursive: true, force: true });
    const state = error ? 'failed' : 'cancelled';
    this.deps.events.transaction((tx) => {
      this.store.updateSession(s.id, { state, completedAt: at, error: error ?? null, warnings: s.warnings }, at);
      tx.emit('hcc.scan.completed', s.dossierCode, { sessionId: s.id, dossierCode: s.dossierCode, state, error, pages: { scanned: s.pages, kept: s.kept, blanks: s.blanks, separators: s.separators } }, { forward: false });
    });
    this.active.delete(s.id);
  }

  // ------------------------------------------------------------------ retention

  /** Deletes scan files older than the retention period, uploaded or not, each with an event. */
  async sweep(): Promise<number> {
    const now = this.now();
    const before = new Date(now.getTime() - this.deps.config.digitise.retentionDays * 86_400_000).toISOString();
    let n = 0;
    for (const d of this.store.expiredDocuments(before)) {
      await rm(d.path, { force: true });
      const at = now.toISOString();
      this.deps.events.transaction((tx) => {
        this.store.setDocumentState(d.id, 'deleted', { deletedAt: at, deleteReason: 'retention' });
        tx.emit('hcc.scan.deleted', d.dossierCode, { sessionId: d.sessionId, documentId: d.id, name: d.name, sha256: d.sha256, uploaded: false, reason: 'retention', retentionDays: this.deps.config.digitise.retentionDays, createdAt: d.createdAt });
      });
      n++;
    }
    for (const s of this.store.oldSessions(before)) await rm(join(this.scansDir, s.id), { recursive: true, force: true });
    return n;
  }
}

function finishingError(id: string): DomainError {
  return conflict('session-finishing', `scan session ${id} is being finished`, 'Phiên quét đang được kết thúc');
}

/** ASCII file-name part: Vietnamese letters lose their marks, đ becomes d. */
export function slug(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'tai-lieu'
  );
}
