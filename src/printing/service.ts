/**
 * The print service: validates and spools jobs (synchronously, inside the caller's transaction),
 * and drives each printer in job order: status before, bytes, status after. A job is `printed`
 * only when the printer answered fine after the last byte (or, for a printer configured as not
 * answering, with that weaker guarantee written on the job).
 */
import type { Logger } from 'pino';
import { messageViOf, type Printer, type PrinterCondition } from '../../drivers/contracts.ts';
import type { DeviceManager } from '../devices.ts';
import type { Events, Tx } from '../events.ts';
import type { Db } from '../store/db.ts';
import type { Config } from '../config/schema.ts';
import type { Check } from '../health.ts';
import type { Vault } from '../security/vault.ts';
import { conflict, DomainError, gone, invalid, notFound } from '../errors.ts';
import { TEMPLATES, type JobState, type PrintJob, type PrintRequest, type PrintSubmitter, type TemplateName } from './api.ts';
import type { PrinterProfile } from './config.ts';
import { describeCondition, NO_ANSWER } from '../../drivers/protocols/escpos/status.ts';
import { SpoolStore, type JobRow, type Outcome } from './spool.ts';
import { TEMPLATE_DEFS, validateTemplateData, type Branding } from './templates.ts';
import type { RenderedJob } from './render.ts';
import { RenderPool } from './render-pool.ts';
import { PreviewCache } from './previews.ts';
import { rasterToPng, stack, type Raster } from '../../drivers/protocols/escpos/raster.ts';
import { loadLogo } from './logo.ts';
import { dossierReceiptPdf } from './pdf.ts';

const GUARANTEE = {
  processed: 'printer processed the last byte (GS r 1) and then answered fine (DLE EOT)',
  confirmed: 'printer answered fine (DLE EOT) after the last byte',
  unconfirmed: 'bytes sent; this printer is configured as not answering status, so printing is not confirmed',
};

const CACHE = 24;

export class PrintService implements PrintSubmitter {
  readonly name = 'printing';
  readonly store: SpoolStore;
  private readonly busy = new Set<string>();
  private readonly cache = new Map<string, RenderedJob>();
  private readonly previews = new PreviewCache();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly active = new Set<Promise<void>>();
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly deps: { db: Db; events: Events; devices: DeviceManager; config: Config; log: Logger; vault?: Vault },
  ) {
    this.store = new SpoolStore(deps.db, deps.vault);
    this.renderer = new RenderPool(deps.log);
  }

  /** Renders off the event loop (a worker thread). */
  private readonly renderer: RenderPool;

  private readonly logos = new Map<number, Raster>();

  private branding(width = 0): Branding {
    const p = this.deps.config.printing;
    return { agencyName: p.agencyName, receivingUnit: p.receivingUnit, footer: p.footer, timezone: this.deps.config.agent.timezone, logo: this.logos.get(width) };
  }

  /** Decodes the configured logo once per paper width in use; a bad file is logged, never fatal. */
  private async loadLogos(): Promise<void> {
    const path = this.deps.config.printing.logo;
    if (!path) return;
    for (const w of new Set(this.deps.devices.ofType('printer').map((p) => p.widthDots || 576))) {
      try {
        this.logos.set(w, await loadLogo(path, w));
      } catch (err) {
        this.deps.log.warn({ err, path }, 'cannot load printing.logo; printing without it');
      }
    }
  }

  private purge(): void {
    const days = this.deps.config.printing.keepDataDays;
    const n = this.store.purge(new Date(Date.now() - days * 86400_000));
    if (n) this.previews.clear();
    if (n) this.deps.log.info({ jobs: n, days }, 'erased data of old print jobs');
  }

  private profile(printer: string): PrinterProfile | undefined {
    return this.deps.config.printing.profiles.find((p) => p.printer === printer);
  }

  private checked: { version: number; check: Check } | null = null;

  /**
   * The `printing` health check: degraded while jobs wait (paper out, cover open, printer offline),
   * since someone has to act. Health is asked often (pages, monitoring); the answer only changes
   * when a job's state does.
   */
  check(): Check {
    if (this.checked?.version !== this.store.version) this.checked = { version: this.store.version, check: this.waitingCheck() };
    return this.checked.check;
  }

  private waitingCheck(): Check {
    if (this.store.waitingCount() === 0) return { ok: true };
    const waiting = this.store.list({ state: 'waiting', limit: 100 });
    const why = [...new Set(waiting.map((j) => `${j.printer}: ${j.code ?? 'waiting'}`))].join('; ');
    const whyVi = [...new Set(waiting.map((j) => `${j.printer}: ${j.error_vi ?? 'đang chờ'}`))].join('; ');
    return { ok: false, message: `${waiting.length} print job(s) waiting (${why})`, messageVi: `${waiting.length} lệnh in đang chờ (${whyVi})`, detail: { waiting: waiting.length } };
  }

  async start(): Promise<void> {
    await this.loadLogos();
    this.purge();
    this.running = true;
    // A job caught mid-transfer by a crash may be half printed: never resend it silently.
    for (const j of this.store.printingJobs()) {
      this.finish(j, 'interrupted', 'hcc.print.job.failed', {
        code: 'interrupted',
        error: 'the agent stopped while this job was being sent; it may be partly printed. Reprint with retry.',
        errorVi: 'phần mềm dừng khi đang gửi lệnh in; phiếu có thể in dở. Hãy in lại bằng nút "In lại".',
      });
    }
    for (const p of this.deps.devices.ofType('printer')) {
      const onStatus = (s: { state: string }) => {
        if (s.state === 'connected') this.kick(p.id);
      };
      p.on('status', onStatus);
      this.detach.push(() => p.off('status', onStatus));
    }
    let lastPurge = Date.now();
    let lastStatus = Date.now();
    const { statusPollMs, waitingPollMs } = this.deps.config.printing;
    this.timer = setInterval(() => {
      for (const id of this.store.printersWith(['waiting', 'queued'])) this.kick(id);
      if (statusPollMs > 0 && Date.now() - lastStatus >= statusPollMs) {
        lastStatus = Date.now();
        this.pollIdle();
      }
      if (Date.now() - lastPurge > 3600_000) {
        lastPurge = Date.now();
        this.purge();
      }
    }, Math.min(waitingPollMs, statusPollMs || waitingPollMs));
    this.timer.unref();
    for (const id of this.store.printersWith(['queued', 'waiting'])) this.kick(id);
  }

  /**
   * Stops taking jobs. A transfer still running after a short grace is left as it is: its row stays
   * `printing` and becomes `interrupted` at the next start (reprint only on retry), so shutdown
   * never waits for a long serial transfer.
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const d of this.detach.splice(0)) d();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.active]), new Promise<void>((r) => (grace = setTimeout(r, 2000)))]);
    clearTimeout(grace);
    await this.renderer.close();
  }

  // ---------------------------------------------------------------- submit / read

  private resolvePrinter(name: string | undefined): Printer {
    const id = name || this.deps.config.printing.defaultPrinter || this.deps.devices.ofType('printer')[0]?.id;
    const dev = id ? this.deps.devices.get(id) : undefined;
    if (!dev || dev.type !== 'printer') throw notFound(`printer ${id ?? '(none configured)'}`, `máy in ${id ?? '(chưa cấu hình)'}`);
    return dev;
  }

  submit(req: PrintRequest, tx?: Tx): { id: string; state: JobState } {
    if (!TEMPLATES.includes(req.template)) throw invalid('bad-template', `unknown template ${String(req.template)}`, `Không có mẫu in ${String(req.template)}`);
    const problem = validateTemplateData(req.template, req.data);
    if (problem) throw invalid('bad-data', `${req.template}: ${problem}`, `Dữ liệu mẫu in ${req.template} không hợp lệ: ${problem}`);
    let printer = this.resolvePrinter(req.printer);
    // A4 asked at a desk whose default printer is thermal: the desk's A4 printer takes it, if it has one.
    if (req.format === 'a4' && !req.printer && printer.accepts !== 'pdf') printer = this.deps.devices.ofType('printer').find((p) => p.accepts === 'pdf') ?? printer;
    const format = req.format ?? (printer.accepts === 'pdf' ? 'a4' : 'thermal');
    if (format === 'a4' && req.template !== 'dossier-receipt') throw invalid('bad-format', `only dossier-receipt prints on A4`, 'Chỉ giấy tiếp nhận hồ sơ in được khổ A4');
    // PDF bytes on a receipt roll would be metres of junk: an A4 job needs a printer that takes PDF.
    if (format === 'a4' && printer.accepts !== 'pdf') throw invalid('bad-format', `printer ${printer.id} prints thermal receipts only, and this desk has no A4 printer`, `Máy in ${printer.id} chỉ in phiếu nhiệt; quầy này chưa có máy in khổ A4`);
    if (format === 'thermal' && printer.accepts === 'pdf') throw invalid('bad-format', `printer ${printer.id} prints A4 PDF only`, `Máy in ${printer.id} chỉ in khổ A4`);
    const row = this.store.insert({ printer: printer.id, template: req.template, format, data: req.data, subject: TEMPLATE_DEFS[req.template].subject(req.data) });
    // Inside a transaction the row is visible to the worker only after commit; it runs on a later tick.
    void tx;
    setImmediate(() => this.kick(printer.id));
    return { id: row.id, state: row.state };
  }

  get(id: string): PrintJob | undefined {
    const r = this.store.get(id);
    return r ? view(r) : undefined;
  }

  list(opts: { state?: JobState; printer?: string; limit?: number } = {}): PrintJob[] {
    return this.store.list({ ...opts, limit: opts.limit ?? 50 }).map(view);
  }

  /** Explicit reprint of a failed, interrupted or waiting job: it goes back to the queue. */
  retry(id: string): PrintJob {
    const r = this.store.get(id);
    if (!r) throw notFound(`print job ${id}`, `lệnh in ${id}`);
    if (r.purged_at) throw purged(id);
    if (!['failed', 'interrupted', 'waiting'].includes(r.state)) {
      throw conflict('not-retryable', `job ${id} is ${r.state}; only failed, interrupted or waiting jobs can be retried`, `Lệnh in đang ở trạng thái ${r.state}; chỉ in lại được lệnh lỗi, bị gián đoạn hoặc đang chờ`);
    }
    this.store.setState(id, 'queued', {});
    this.deps.events.publish('hcc.print.job.state', r.subject ?? id, { id, printer: r.printer, state: 'queued' });
    setImmediate(() => this.kick(r.printer));
    return this.get(id)!;
  }

  private async rendered(r: JobRow): Promise<RenderedJob> {
    if (r.purged_at) throw purged(r.id);
    const hit = this.cache.get(r.id);
    if (hit) return hit;
    const printer = this.deps.devices.get(r.printer) as Printer | undefined;
    // Plain data: it crosses to the render worker.
    const target = printer ? { widthDots: printer.widthDots, accepts: printer.accepts } : { widthDots: 576, accepts: 'escpos' as const };
    const out = await this.renderer.render({ template: r.template, format: r.format, data: JSON.parse(r.data), createdAt: r.created_at, printerId: r.printer }, target, this.branding(target.widthDots || 576), this.profile(r.printer));
    this.cache.set(r.id, out);
    if (this.cache.size > CACHE) this.cache.delete(this.cache.keys().next().value!);
    return out;
  }

  /** The raster that was (or will be) sent, all pages stacked: made once per job and kept. */
  async previewPng(id: string): Promise<Buffer> {
    const r = this.store.get(id);
    if (!r) throw notFound(`print job ${id}`, `lệnh in ${id}`);
    if (r.purged_at) throw purged(id);
    return this.previews.get(id, () => this.makePreview(r));
  }

  private async makePreview(r: JobRow): Promise<Buffer> {
    const id = r.id;
    let out: RenderedJob;
    try {
      out = await this.rendered(r);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // One job's bad data is that job's problem (its print fails as render-error), not the agent's.
      throw conflict('render-error', `job ${id} cannot be rendered: ${(err as Error).message}`, `Không dựng được nội dung lệnh in ${id}`);
    }
    if (out.kind === 'pdf') throw conflict('a4-job', 'A4 job: see document.pdf', 'Lệnh in khổ A4: xem document.pdf');
    return rasterToPng(stack(out.pages));
  }

  async documentPdf(id: string): Promise<Buffer> {
    const r = this.store.get(id);
    if (!r) throw notFound(`print job ${id}`, `lệnh in ${id}`);
    if (r.template !== 'dossier-receipt') throw conflict('no-a4', 'only dossier receipts have an A4 document', 'Chỉ giấy tiếp nhận hồ sơ có bản A4');
    if (r.purged_at) throw purged(id);
    return dossierReceiptPdf(JSON.parse(r.data), this.branding());
  }

  // ---------------------------------------------------------------- worker

  /** Asks idle, reachable printers their status; the drivers turn answers into device status events. */
  private pollIdle(): void {
    for (const p of this.deps.devices.ofType('printer')) {
      if (this.busy.has(p.id) || p.status().state === 'disconnected') continue;
      this.busy.add(p.id);
      const run: Promise<void> = p
        .queryStatus()
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.busy.delete(p.id);
          this.active.delete(run);
          // A job submitted while the printer was being asked starts now.
          if (this.running && this.store.next(p.id)) this.kick(p.id);
        });
      this.active.add(run);
    }
  }

  /** Starts the printer's worker unless it is already running. */
  kick(printer: string): void {
    if (!this.running || this.busy.has(printer)) return;
    this.busy.add(printer);
    const p = this.drain(printer)
      .catch((err) => this.deps.log.error({ err, printer }, 'print worker failed'))
      .finally(() => {
        this.busy.delete(printer);
        this.active.delete(p);
      });
    this.active.add(p);
  }

  private async drain(printerId: string): Promise<void> {
    while (this.running) {
      const job = this.store.next(printerId);
      if (!job) return;
      const dev = this.deps.devices.get(printerId) as Printer | undefined;
      if (!dev) {
        this.finish(job, 'failed', 'hcc.print.job.failed', { code: 'unknown-printer', error: `printer ${printerId} is no longer configured`, errorVi: `máy in ${printerId} không còn trong cấu hình` });
        continue;
      }
      if (!(await this.ready(dev))) return;
      if (!(await this.printOne(job, dev))) return;
    }
  }

  /** Status before the job; a printer that is not ready makes all its pending jobs wait. */
  private async ready(dev: Printer): Promise<boolean> {
    const st = dev.status();
    if (st.state === 'disconnected') {
      // The job's reason is the same whatever the transport said (connection lost, cannot open…).
      this.waitAll(dev.id, { code: 'offline', error: `printer not connected: ${st.reason}`, errorVi: `máy in chưa kết nối: ${st.reasonVi}` });
      return false;
    }
    let cond: PrinterCondition | null;
    try {
      cond = await dev.queryStatus();
    } catch (err) {
      this.waitAll(dev.id, { code: NO_ANSWER.code, error: `${NO_ANSWER.en}: ${(err as Error).message}`, errorVi: NO_ANSWER.vi });
      return false;
    }
    const t = cond ? describeCondition(cond) : null;
    if (t?.blocking) {
      this.waitAll(dev.id, { code: t.code, error: `waiting: ${t.en}`, errorVi: `đang chờ: ${t.vi}` });
      return false;
    }
    return true;
  }

  private waitAll(printer: string, o: Outcome): void {
    for (const id of this.store.markWaiting(printer, o)) {
      const r = this.store.get(id);
      this.deps.events.publish('hcc.print.job.state', r?.subject ?? id, { id, printer, state: 'waiting', code: o.code, error: o.error, errorVi: o.errorVi });
    }
  }

  /** Sends one job; false when the printer should not be used further for now. */
  private async printOne(job: JobRow, dev: Printer): Promise<boolean> {
    let out: RenderedJob;
    try {
      out = await this.rendered(job);
    } catch (err) {
      this.deps.log.error({ err, job: job.id, template: job.template }, 'render failed');
      this.finish(job, 'failed', 'hcc.print.job.failed', { code: 'render-error', error: `could not render: ${(err as Error).message}`, errorVi: 'không dựng được nội dung phiếu in' });
      return true;
    }
    this.store.setState(job.id, 'printing', { bytes: out.bytes.length });
    this.deps.events.publish('hcc.print.job.state', job.subject ?? job.id, { id: job.id, printer: dev.id, state: 'printing' });
    try {
      await dev.write(out.bytes);
    } catch (err) {
      if (!this.running) return false; // shutting down: the row stays `printing` → `interrupted` next start
      this.finish(job, 'failed', 'hcc.print.job.failed', {
        code: 'transfer-failed',
        error: `connection lost while sending (${(err as Error).message}); the job may be partly printed. Reprint with retry.`,
        errorVi: `mất kết nối khi đang gửi lệnh in${viReason(err)}; phiếu có thể in dở. Hãy in lại bằng nút "In lại".`,
      });
      return false;
    }
    let after: PrinterCondition | null;
    let processed = false;
    try {
      processed = (await dev.waitProcessed?.()) ?? false;
      after = await dev.queryStatus();
    } catch (err) {
      if (!this.running) return false;
      this.finish(job, 'failed', 'hcc.print.job.failed', { code: NO_ANSWER.code, error: `sent, but ${NO_ANSWER.en} (${(err as Error).message}); check the paper and retry if needed`, errorVi: `đã gửi nhưng ${NO_ANSWER.vi}; hãy kiểm tra phiếu và in lại nếu cần` });
      return false;
    }
    // A driver that can only vouch for a hand-over (CUPS: "accepted as request N") says so itself.
    const note = dev.lastTransferNote;
    if (after === null) {
      this.finish(job, 'printed', 'hcc.print.job.printed', { guarantee: note ?? GUARANTEE.unconfirmed });
      return true;
    }
    const t = describeCondition(after);
    if (t?.blocking) {
      this.finish(job, 'failed', 'hcc.print.job.failed', {
        code: t.code,
        error: `printer reported ${t.en} after the job; it may be incomplete. Fix the printer and retry.`,
        errorVi: `máy in báo ${t.vi} sau khi in; phiếu có thể không đầy đủ. Hãy khắc phục và in lại.`,
      });
      return false;
    }
    this.finish(job, 'printed', 'hcc.print.job.printed', { guarantee: note ?? (processed ? GUARANTEE.processed : GUARANTEE.confirmed), code: t?.code ?? null });
    return true;
  }

  /** Final state and its event in one transaction. */
  private finish(job: JobRow, state: JobState, type: 'hcc.print.job.printed' | 'hcc.print.job.failed', o: Outcome): void {
    this.deps.events.transaction((tx) => {
      this.store.setState(job.id, state, o);
      const r = this.store.get(job.id)!;
      tx.emit(type, job.subject ?? job.id, { id: job.id, printer: job.printer, template: job.template, state, code: o.code ?? undefined, error: o.error ?? undefined, errorVi: o.errorVi ?? undefined, guarantee: r.guarantee ?? undefined, bytes: r.bytes ?? undefined });
    });
  }
}

function view(r: JobRow): PrintJob {
  return {
    id: r.id,
    printer: r.printer,
    template: r.template as TemplateName,
    state: r.state,
    format: r.format,
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.subject ? { subject: r.subject } : {}),
    ...(r.code ? { code: r.code } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.error_vi ? { errorVi: r.error_vi } : {}),
    ...(r.guarantee ? { guarantee: r.guarantee } : {}),
    ...(r.bytes !== null ? { bytes: r.bytes } : {}),
    ...(r.printed_at ? { printedAt: r.printed_at } : {}),
  };
}

/** The driver's own Vietnamese reason in brackets, where it gives one (e.g. the serial port closed mid-transfer). */
function viReason(err: unknown): string {
  const vi = messageViOf(err);
  return vi ? ` (${vi})` : '';
}

const purged = (id: string): DomainError =>
  gone('purged', `job ${id} is older than printing.keepDataDays; its data was erased`, 'Dữ liệu của lệnh in này đã được xoá theo thời hạn lưu trữ');
