/**
 * The procedure catalogue: the YAML files in the config folder, and the central side's copy when
 * `procedures.url` is set — fetched with its ETag, kept on disk (data/procedures-central.json) and
 * used as it is while the central side cannot be reached, so a desk offline for a week still
 * fills receipts from the last catalogue it had. A file with errors is left out and named in
 * /health instead of stopping the agent: the queue and the other desks' work go on.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Agent, fetch } from 'undici';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { Compile } from 'typebox/compile';
import type { Component } from '../component.ts';
import type { Check } from '../health.ts';
import { CatalogueFile, type Procedure } from './schemas.ts';
import type { ProceduresConfig } from './config.ts';
import { ProcedureIndex } from './search.ts';

export interface CatalogueDeps {
  config: ProceduresConfig;
  dataDir: string;
  /** Bearer token and CA of the central system (central.http). */
  token: string;
  caFile: string;
  log: Logger;
  now?: () => number;
}

const checkFile = Compile(CatalogueFile);
const CACHE_FILE = 'procedures-central.json';

/** The first few schema errors, as `procedures[3].processingDays: must be integer`. */
function problems(value: unknown): string {
  return [...checkFile.Errors(value)]
    .filter((e) => e.keyword !== 'boolean')
    .slice(0, 3)
    .map((e) => `${e.instancePath.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') || '(root)'}: ${e.message}`)
    .join('; ');
}

/** Validates a parsed catalogue; throws with what is wrong. */
export function parseCatalogue(value: unknown): Procedure[] {
  if (!checkFile.Check(value)) throw new Error(problems(value));
  // Answers always carry the optional parts, filled with their documented defaults.
  return (value as CatalogueFile).procedures.map((p) => ({
    ...p,
    components: p.components.map((c) => ({ ...c, required: c.required ?? true })),
    fees: p.fees ?? [],
    returnMethods: p.returnMethods ?? ['counter', 'post'],
  }));
}

export class ProcedureCatalogue implements Component {
  readonly name = 'procedures';
  private index = new ProcedureIndex([]);
  private fromFiles: Procedure[] = [];
  private central: { procedures: Procedure[]; etag: string; fetchedAt: string } | null = null;
  private source: 'files' | 'central' | 'cache' = 'files';
  private fileErrors: string[] = [];
  private lastRefreshError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private dispatcher: Agent | undefined;

  constructor(private readonly d: CatalogueDeps) {}

  start(): void {
    this.fromFiles = this.loadFiles();
    this.central = this.loadCache();
    if (this.central) this.source = 'cache';
    this.rebuild();
    if (this.d.config.url) {
      if (this.d.caFile) this.dispatcher = new Agent({ connect: { ca: readFileSync(this.d.caFile) } });
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), this.d.config.refreshMinutes * 60_000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    await this.dispatcher?.close();
  }

  search(q: string | undefined, limit: number) {
    return { ...this.index.search(q, limit), catalogue: { size: this.index.size, source: this.source, ...(this.central ? { updatedAt: this.central.fetchedAt } : {}) } };
  }

  get(code: string): Procedure | undefined {
    return this.index.get(code);
  }

  /** Degraded for a file with errors (a person must fix it); a central side that cannot be reached only shows in the detail, since the last copy serves. */
  check(): Check {
    const detail = { size: this.index.size, source: this.source, ...(this.lastRefreshError ? { lastRefreshError: this.lastRefreshError } : {}) };
    if (this.fileErrors.length) {
      return { ok: false, message: `procedure catalogue: ${this.fileErrors.join(' | ')}`, messageVi: `danh mục thủ tục có tệp lỗi, chưa được nạp: ${this.fileErrors.join(' | ')}`, detail };
    }
    return { ok: true, detail };
  }

  /** Fetches the central catalogue; keeps the last copy on any failure. Resolves true when it changed. */
  async refresh(): Promise<boolean> {
    if (!this.d.config.url || this.inFlight) return false;
    const ac = new AbortController();
    this.inFlight = ac;
    const timer = setTimeout(() => ac.abort(), this.d.config.timeoutMs);
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.d.token) headers.authorization = `Bearer ${this.d.token}`;
      if (this.central?.etag) headers['if-none-match'] = this.central.etag;
      const res = await fetch(this.d.config.url, { headers, signal: ac.signal, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
      if (res.status === 304 && this.central) {
        await res.body?.cancel();
        this.lastRefreshError = null;
        this.source = 'central';
        return false;
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      const procedures = parseCatalogue(JSON.parse(await res.text()));
      this.central = { procedures, etag: res.headers.get('etag') ?? '', fetchedAt: new Date((this.d.now ?? Date.now)()).toISOString() };
      this.saveCache();
      this.source = 'central';
      this.lastRefreshError = null;
      this.rebuild();
      this.d.log.info({ size: procedures.length }, 'procedure catalogue refreshed from the central side');
      return true;
    } catch (err) {
      this.lastRefreshError = ac.signal.aborted ? `no answer within ${this.d.config.timeoutMs} ms` : (err as Error).message;
      this.d.log.warn({ err: this.lastRefreshError, url: this.d.config.url }, 'procedure catalogue refresh failed; keeping the last copy');
      return false;
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
    }
  }

  private rebuild(): void {
    const byCode = new Map(this.fromFiles.map((p) => [p.code, p]));
    for (const p of this.central?.procedures ?? []) byCode.set(p.code, p);
    this.index = new ProcedureIndex([...byCode.values()]);
  }

  private loadFiles(): Procedure[] {
    const out: Procedure[] = [];
    this.fileErrors = [];
    for (const entry of this.d.config.files) {
      // loadConfig made them absolute from the config file's folder; others are from the working directory.
      const path = resolve(entry);
      if (!existsSync(path)) continue;
      const files = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((f) => /\.(ya?ml|json)$/i.test(f) && !f.endsWith('.schema.json'))
            .sort()
            .map((f) => join(path, f))
        : [path];
      for (const f of files) {
        try {
          out.push(...parseCatalogue(parseYaml(readFileSync(f, 'utf8'))));
        } catch (err) {
          this.fileErrors.push(`${f}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
    if (this.fileErrors.length) this.d.log.error({ files: this.fileErrors }, 'procedure catalogue files with errors were left out');
    return out;
  }

  private loadCache(): ProcedureCatalogue['central'] {
    const file = join(this.d.dataDir, CACHE_FILE);
    if (!this.d.config.url || !existsSync(file)) return null;
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as { etag: string; fetchedAt: string; catalogue: unknown };
      return { procedures: parseCatalogue(c.catalogue), etag: String(c.etag ?? ''), fetchedAt: String(c.fetchedAt) };
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'the kept central catalogue is unreadable; waiting for a fresh copy');
      return null;
    }
  }

  /** Written beside and renamed over: a kill mid-write leaves the previous copy whole. */
  private saveCache(): void {
    const file = join(this.d.dataDir, CACHE_FILE);
    mkdirSync(this.d.dataDir, { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ etag: this.central!.etag, fetchedAt: this.central!.fetchedAt, catalogue: { procedures: this.central!.procedures } }));
    renameSync(`${file}.tmp`, file);
  }
}
