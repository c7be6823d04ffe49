/**
 * Document scanners through SANE's `scanimage` (Debian sane-utils): any backend SANE knows,
 * flatbed or feeder, duplex where the backend offers it. Capabilities come from `scanimage -A`;
 * a scan runs `scanimage --batch --batch-print` and each page is delivered as soon as scanimage
 * names its finished file, so pages stream while the feeder is still running.
 */
import Type from 'typebox';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DocumentScanner, ScanErrorCode, ScanRequest, ScannedPage } from '../contracts.ts';
import { SCAN_FAULT_TEXT, ScanError } from '../contracts.ts';
import { ManagedDevice, type StatusText } from '../lifecycle.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { runCommand } from '../support/command.ts';

/** SANE_Status values (sane.h, SANE standard 1.0 §4.3.7); scanimage exits with the failing status. */
export const SANE_STATUS = {
  GOOD: 0,
  UNSUPPORTED: 1,
  CANCELLED: 2,
  DEVICE_BUSY: 3,
  INVAL: 4,
  EOF: 5,
  JAMMED: 6,
  NO_DOCS: 7,
  COVER_OPEN: 8,
  IO_ERROR: 9,
  NO_MEM: 10,
  ACCESS_DENIED: 11,
} as const;

const STATUS_CODE: Record<number, ScanErrorCode> = {
  [SANE_STATUS.CANCELLED]: 'cancelled',
  [SANE_STATUS.DEVICE_BUSY]: 'busy',
  [SANE_STATUS.JAMMED]: 'jam',
  [SANE_STATUS.NO_DOCS]: 'no-documents',
  [SANE_STATUS.COVER_OPEN]: 'cover-open',
};

export interface SaneOption {
  values?: string[];
  range?: { min: number; max: number };
  current?: string;
}

/** Parses `scanimage -A` into option name → allowed values or range. */
export function parseOptions(text: string): Map<string, SaneOption> {
  const out = new Map<string, SaneOption>();
  for (const line of text.split('\n')) {
    const m = /^\s+(--?[a-z0-9-]+)(?:\[=\(([^)]*)\)\])?\s+(.*?)(?:\s+\[([^\]]*)\])?\s*$/i.exec(line);
    if (!m) continue;
    const name = m[1].replace(/^-+/, '');
    const spec = (m[2] ?? m[3]).trim();
    const current = m[4];
    const range = /^(-?[\d.]+)\.\.(-?[\d.]+)/.exec(spec);
    if (range) out.set(name, { range: { min: Number(range[1]), max: Number(range[2]) }, current });
    else if (spec.includes('|')) out.set(name, { values: spec.replace(/(dpi|mm|bit|pel)$/, '').split('|'), current });
    else out.set(name, { current });
  }
  return out;
}

export interface SaneArgs {
  args: string[];
  resolution: number;
  /** The source asked for was not offered and another was used (e.g. simplex instead of duplex). */
  fallback?: string;
}

/** Maps a scan request onto this backend's own option values. */
export function buildArgs(opts: Map<string, SaneOption>, req: ScanRequest): SaneArgs {
  const args: string[] = [];
  let fallback: string | undefined;
  const pick = (name: string, ...patterns: RegExp[]) => {
    const values = opts.get(name)?.values ?? [];
    for (const p of patterns) {
      const v = values.find((x) => p.test(x));
      if (v) return v;
    }
    return undefined;
  };
  if (opts.has('source')) {
    let src: string | undefined;
    if (req.source === 'adf-duplex') {
      src = pick('source', /duplex/i);
      if (!src) fallback = 'duplex not offered by this scanner; scanning one side';
    }
    if (!src && req.source !== 'flatbed') src = (opts.get('source')?.values ?? []).find((v) => /adf|feeder|automatic/i.test(v) && !/duplex/i.test(v));
    if (!src) src = pick('source', /flatbed|platen/i) ?? opts.get('source')?.values?.[0];
    if (src) args.push(`--source=${src}`);
  }
  if (opts.has('mode')) {
    const modes = opts.get('mode')?.values ?? [];
    if (req.mode === 'color') args.push(`--mode=${pick('mode', /colou?r/i) ?? modes[0]}`);
    else if (req.mode === 'gray') args.push(`--mode=${pick('mode', /gr[ae]y/i) ?? modes[0]}`);
    else {
      const line = pick('mode', /lineart|binary|black/i);
      if (line) args.push(`--mode=${line}`);
      else {
        // Backends without a lineart mode (e.g. `test`) give 1-bit output as grey at depth 1.
        args.push(`--mode=${pick('mode', /gr[ae]y/i) ?? modes[0]}`);
        if (opts.get('depth')?.values?.includes('1')) args.push('--depth=1');
      }
    }
  }
  let resolution = req.resolution;
  const res = opts.get('resolution');
  if (res?.range) resolution = Math.min(res.range.max, Math.max(res.range.min, resolution));
  else if (res?.values?.length) resolution = res.values.map(Number).reduce((a, b) => (Math.abs(b - req.resolution) < Math.abs(a - req.resolution) ? b : a));
  if (res) args.push(`--resolution=${resolution}`);
  // Scan the whole A4 page where the backend lets us set the area (defaults are often smaller).
  const x = opts.get('x')?.range, y = opts.get('y')?.range;
  if (x) args.push('-x', String(Math.min(210, x.max)));
  if (y) args.push('-y', String(Math.min(297, y.max)));
  return { args, resolution, fallback };
}

export function pngSize(png: Buffer): { width: number; height: number } {
  // IHDR is always the first chunk: width and height at bytes 16..23 (PNG spec §11.2.2).
  if (png.length < 24 || png.readUInt32BE(12) !== 0x49484452) throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Defaults of the driver's keys; the schema and the constructor both read them. */
export const SANE_DEFAULTS = { device: 'test', command: 'scanimage', pageTimeoutMs: 120_000 } as const;

export class SaneScanner extends ManagedDevice implements DocumentScanner {
  readonly type = 'document-scanner' as const;
  private options = new Map<string, SaneOption>();
  private child: ChildProcess | null = null;

  constructor(
    id: string,
    readonly device: string,
    private readonly tmpRoot: string,
    /** Backend options appended to every scan (e.g. `--test-picture=Grid` for the test backend). */
    readonly extraArgs: string[] = [],
    private readonly command: string = SANE_DEFAULTS.command,
    /** Longest wait for the next page before the scan is declared stuck. */
    private readonly pageTimeoutMs: number = SANE_DEFAULTS.pageTimeoutMs,
  ) {
    super(id, 'sane');
  }

  /** Options as the backend reported them (after start). */
  get capabilities(): Map<string, SaneOption> {
    return this.options;
  }

  protected async open(): Promise<void> {
    const r = await runCommand(this.command, ['-d', this.device, '-A'], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(lastLine(r.stderr) || `scanimage -A exited with ${r.code}`);
    this.options = parseOptions(r.stdout);
  }

  protected async close(): Promise<void> {
    this.child?.kill('SIGTERM');
    this.child = null;
  }

  protected override isPermanent(err: unknown): StatusText | null {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { en: `${this.command} is not installed (Debian package sane-utils)`, vi: `Chưa cài ${this.command} (gói sane-utils)`, code: 'sane-missing' };
    return null;
  }

  async *scan(req: ScanRequest): AsyncIterable<ScannedPage> {
    if (this.child) throw new ScanError('busy', 'scanner is already scanning');
    if (!this.isConnected && this.status().state !== 'error') throw new ScanError('offline', this.status().reason);
    const { args, resolution } = buildArgs(this.options, req);
    await mkdir(this.tmpRoot, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(this.tmpRoot, 'sane-'));
    const batch = ['--format=png', `--batch=${join(dir, 'p%04d.png')}`, '--batch-print', ...(req.source === 'flatbed' ? ['--batch-count=1'] : [])];
    const child = spawn(this.command, ['-d', this.device, ...args, ...batch, ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const files: string[] = [];
    let stderr = '';
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let spawnError: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.trim()) files.push(l.trim());
      notify();
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4000);
    });
    child.on('error', (e) => {
      spawnError = e;
      notify();
    });
    child.on('close', (code, signal) => {
      exit = { code, signal };
      notify();
    });
    const onAbort = () => child.kill('SIGTERM');
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.status().code) this.setStatus('connected', { en: 'ready', vi: 'sẵn sàng' });
    let delivered = 0;
    try {
      for (;;) {
        if (files.length) {
          const path = files.shift()!;
          const image = await readFile(path);
          await rm(path, { force: true });
          const { width, height } = pngSize(image);
          yield { index: delivered++, image, format: 'png', width, height, dpi: resolution };
          continue;
        }
        if (spawnError) throw new ScanError('offline', `cannot run ${this.command}: ${(spawnError as Error).message}`, delivered);
        if (exit) break;
        let timer: NodeJS.Timeout | undefined;
        const woke = await new Promise<boolean>((r) => {
          wake = () => r(true);
          timer = setTimeout(() => r(false), this.pageTimeoutMs);
        });
        clearTimeout(timer);
        if (!woke && !files.length && !exit) {
          // A backend that hangs (USB stall, lost network scanner) must not hold the session forever.
          child.kill('SIGKILL');
          this.setStatus('error', { en: 'scanner stopped responding', vi: 'máy quét không phản hồi', code: 'io' });
          throw new ScanError('io', `no page within ${this.pageTimeoutMs} ms; scanimage was stopped`, delivered);
        }
      }
      const { code } = exit as unknown as { code: number | null };
      if (req.signal?.aborted) throw new ScanError('cancelled', 'scan cancelled', delivered);
      let fault: ScanErrorCode | null = code === 0 ? null : (STATUS_CODE[code ?? -1] ?? 'io');
      // scanimage ends a batch on "out of documents" with status 0: an empty feeder at the start is its own condition.
      if (!fault && delivered === 0 && req.source !== 'flatbed' && /out of documents/i.test(stderr)) fault = 'no-documents';
      if (/open of device .* failed|no SANE devices/i.test(stderr) && delivered === 0) fault = 'offline';
      if (fault) {
        const t = SCAN_FAULT_TEXT[fault];
        const detail = lastLine(stderr);
        if (fault === 'offline') this.lost({ en: `${t.en}: ${detail}`, vi: t.vi, code: 'offline' });
        else if (fault !== 'cancelled') this.setStatus(fault === 'no-documents' || fault === 'busy' ? 'connected' : 'error', { en: t.en, vi: t.vi, code: fault });
        throw new ScanError(fault, detail ? `${t.en} (${detail})` : t.en, delivered);
      }
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
      if (!exit) child.kill('SIGTERM');
      this.child = null;
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The line that says what went wrong (`sane_read: Document feeder jammed`), not scanimage's chatter around it. */
function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.replace(/^scanimage: /, '').trim())
    .filter((l) => l && !/^Scann(ing|ed) page|^Batch terminated|^trying to stop scanner|^received signal|^aborting/i.test(l));
  return lines.find((l) => /^sane_\w+:|open of device/.test(l)) ?? lines.pop() ?? '';
}


export const driver = defineDriver({
  type: 'document-scanner',
  name: 'sane',
  summary: 'Any SANE scanner through scanimage: flatbed, feeder until empty, duplex where offered; jam, cover open and empty feeder as their own statuses.',
  schema: deviceSchema(
    'document-scanner',
    'sane',
    {
      device: key(Type.String({ minLength: 1, maxLength: 256 }), { title: 'SANE device', description: 'Device name as `scanimage -L` lists it, e.g. `fujitsu:fi-7160:1234` or `test`.', default: SANE_DEFAULTS.device }),
      extraArgs: key(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 }), { title: 'Backend options', description: 'Extra scanimage options appended to every scan, e.g. `--page-height=297`.', default: [] }),
      command: key(Type.String({ minLength: 1 }), { title: 'scanimage command', description: 'Path of the scanimage executable.', default: SANE_DEFAULTS.command }),
      pageTimeoutMs: key(Type.Integer({ minimum: 1000 }), { title: 'Page timeout', description: 'Longest wait for the next page (ms) before the scan is stopped as stuck.', default: SANE_DEFAULTS.pageTimeoutMs }),
    },
    'A document scanner driven through SANE scanimage.',
  ),
  create: (cfg, deps) => new SaneScanner(cfg.id, cfg.device, join(deps.dataDir, 'scans', 'tmp'), cfg.extraArgs, cfg.command, cfg.pageTimeoutMs),
});
