/**
 * Network scanners speaking eSCL (Apple AirScan / Mopria eSCL Scan Technical Specification 2.x):
 *   GET  {base}/ScannerCapabilities      sources, colour modes, resolutions, formats
 *   GET  {base}/ScannerStatus            pwg:State, scan:AdfState, jobs and their state reasons
 *   POST {base}/ScanJobs (ScanSettings)  → 201 Created, Location: the job
 *   GET  {job}/NextDocument              → 200 a page, 503 not ready yet (retry), 404 no more pages
 *   DELETE {job}                         cancels the job
 * Pages arrive as JPEG and go into the PDF as they are.
 */
import Type from 'typebox';
import type { XMLParser } from 'fast-xml-parser';
import { lazyRequire, sharpLib } from '../support/lazy.ts';
import type { DocumentScanner, ScanErrorCode, ScanRequest, ScannedPage } from '../contracts.ts';
import { SCAN_FAULT_TEXT, ScanError } from '../contracts.ts';
import { ManagedDevice } from '../lifecycle.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';

/** eSCL values used here (eSCL spec §8 ScanSettings, §9 ScannerStatus). */
export const ESCL = {
  version: '2.63',
  source: { flatbed: 'Platen', feeder: 'Feeder' },
  colorMode: { color: 'RGB24', gray: 'Grayscale8', lineart: 'BlackAndWhite1' },
  /** Region units: 1/300 inch. A4 = 2480 × 3508. */
  a4: { width: 2480, height: 3508 },
  adfFault: {
    ScannerAdfJam: 'jam',
    ScannerAdfMispick: 'jam',
    ScannerAdfHatchOpen: 'cover-open',
    ScannerAdfDoorOpen: 'cover-open',
    ScannerAdfEmpty: 'no-documents',
  } as Record<string, ScanErrorCode>,
} as const;

export interface EsclCapabilities {
  makeAndModel: string;
  platen: boolean;
  adf: boolean;
  duplex: boolean;
  colorModes: string[];
  resolutions: number[];
  formats: string[];
}

export interface EsclStatus {
  state: string;
  adfState?: string;
  jobs: { uri: string; state: string; reasons: string[] }[];
}

const ARRAYS = new Set(['ColorMode', 'DiscreteResolution', 'DocumentFormat', 'DocumentFormatExt', 'SettingProfile', 'JobInfo', 'JobStateReason']);
const xmlLib = lazyRequire<typeof import('fast-xml-parser')>('fast-xml-parser');
let xmlParser: XMLParser | null = null;
const parser = { parse: (xml: string) => (xmlParser ??= new (xmlLib().XMLParser)({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => ARRAYS.has(name) })).parse(xml) };

function collect(node: unknown, name: string, out: unknown[] = []): unknown[] {
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === name) out.push(...(Array.isArray(v) ? v : [v]));
      else collect(v, name, out);
    }
  }
  return out;
}

export function parseCapabilities(xml: string): EsclCapabilities {
  const doc = parser.parse(xml).ScannerCapabilities;
  if (!doc) throw new Error('not an eSCL ScannerCapabilities document');
  const modes = new Set(collect(doc, 'ColorMode').map(String));
  const res = new Set(collect(doc, 'DiscreteResolution').map((r: any) => Number(r.XResolution)).filter(Number.isFinite));
  const formats = new Set([...collect(doc, 'DocumentFormat'), ...collect(doc, 'DocumentFormatExt')].map(String));
  return {
    makeAndModel: String(doc.MakeAndModel ?? ''),
    platen: doc.Platen !== undefined,
    adf: doc.Adf !== undefined,
    duplex: doc.Adf?.AdfDuplexInputCaps !== undefined,
    colorModes: [...modes],
    resolutions: [...res].sort((a, b) => a - b),
    formats: [...formats],
  };
}

export function parseStatus(xml: string): EsclStatus {
  const doc = parser.parse(xml).ScannerStatus;
  if (!doc) throw new Error('not an eSCL ScannerStatus document');
  const jobs = collect(doc, 'JobInfo').map((j: any) => ({ uri: String(j.JobUri ?? ''), state: String(j.JobState ?? ''), reasons: collect(j, 'JobStateReason').map(String) }));
  return { state: String(doc.State ?? ''), adfState: doc.AdfState !== undefined ? String(doc.AdfState) : undefined, jobs };
}

export function scanSettings(caps: EsclCapabilities, req: ScanRequest): { xml: string; resolution: number; source: string } {
  const feeder = req.source !== 'flatbed' && caps.adf;
  const source = feeder ? ESCL.source.feeder : ESCL.source.flatbed;
  const resolution = caps.resolutions.length ? caps.resolutions.reduce((a, b) => (Math.abs(b - req.resolution) < Math.abs(a - req.resolution) ? b : a)) : req.resolution;
  let mode: string = ESCL.colorMode[req.mode];
  // BlackAndWhite1 is often missing; grey then, and the profile's JPEG encoding applies.
  if (caps.colorModes.length && !caps.colorModes.includes(mode)) mode = caps.colorModes.includes(ESCL.colorMode.gray) ? ESCL.colorMode.gray : caps.colorModes[0];
  const duplex = feeder && req.source === 'adf-duplex' && caps.duplex;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>${ESCL.version}</pwg:Version>
  <scan:Intent>Document</scan:Intent>
  <pwg:ScanRegions>
    <pwg:ScanRegion>
      <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>
      <pwg:XOffset>0</pwg:XOffset>
      <pwg:YOffset>0</pwg:YOffset>
      <pwg:Width>${ESCL.a4.width}</pwg:Width>
      <pwg:Height>${ESCL.a4.height}</pwg:Height>
    </pwg:ScanRegion>
  </pwg:ScanRegions>
  <pwg:InputSource>${source}</pwg:InputSource>
  ${feeder ? `<scan:Duplex>${duplex}</scan:Duplex>` : ''}
  <scan:ColorMode>${mode}</scan:ColorMode>
  <scan:XResolution>${resolution}</scan:XResolution>
  <scan:YResolution>${resolution}</scan:YResolution>
  <pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>
  <scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt>
</scan:ScanSettings>`;
  return { xml, resolution, source };
}

/** Defaults of the driver's keys; the schema and the constructor both read them. */
export const ESCL_DEFAULTS = { pollMs: 500, pageTimeoutMs: 120_000 } as const;

export class EsclScanner extends ManagedDevice implements DocumentScanner {
  readonly type = 'document-scanner' as const;
  private caps: EsclCapabilities | null = null;
  private scanning = false;
  private readonly base: string;

  constructor(
    id: string,
    baseUrl: string,
    /** Pause after a 503 from NextDocument when the scanner sends no Retry-After. */
    private readonly pollMs: number = ESCL_DEFAULTS.pollMs,
    /** Longest wait for one page before the job is declared stuck. */
    private readonly pageTimeoutMs: number = ESCL_DEFAULTS.pageTimeoutMs,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    super(id, 'escl');
    this.base = baseUrl.replace(/\/+$/, '');
  }

  get capabilities(): EsclCapabilities | null {
    return this.caps;
  }

  protected async open(): Promise<void> {
    const res = await this.http('GET', `${this.base}/ScannerCapabilities`);
    if (res.status !== 200) throw new Error(`ScannerCapabilities answered ${res.status}`);
    this.caps = parseCapabilities(await res.text());
  }

  protected async close(): Promise<void> {}

  async scannerStatus(): Promise<EsclStatus> {
    const res = await this.http('GET', `${this.base}/ScannerStatus`);
    if (res.status !== 200) throw new Error(`ScannerStatus answered ${res.status}`);
    return parseStatus(await res.text());
  }

  async *scan(req: ScanRequest): AsyncIterable<ScannedPage> {
    if (!this.caps) throw new ScanError('offline', this.status().reason);
    if (this.scanning) throw new ScanError('busy', 'scanner is already scanning');
    this.scanning = true;
    let delivered = 0;
    let job: string | null = null;
    let finished = false;
    try {
      const before = await this.call(() => this.scannerStatus(), 0);
      const feeder = req.source !== 'flatbed' && this.caps.adf;
      if (feeder && before.adfState && ESCL.adfFault[before.adfState]) this.fail(ESCL.adfFault[before.adfState], `feeder reports ${before.adfState}`, 0);
      if (before.state !== 'Idle') this.fail('busy', `scanner state is ${before.state}`, 0);
      if (this.status().code) this.setStatus('connected', { en: 'ready', vi: 'sẵn sàng' });

      const { xml, resolution } = scanSettings(this.caps, req);
      const created = await this.call(() => this.http('POST', `${this.base}/ScanJobs`, xml, { 'Content-Type': 'text/xml' }), 0);
      if (created.status === 409 || created.status === 503) this.fail('busy', `ScanJobs answered ${created.status}`, 0);
      const loc = created.headers.get('location');
      if (created.status !== 201 || !loc) this.fail('io', `ScanJobs answered ${created.status}`, 0);
      job = new URL(loc!, `${this.base}/`).href.replace(/\/+$/, '');

      let waitedSince = Date.now();
      for (;;) {
        if (req.signal?.aborted) throw new ScanError('cancelled', 'scan cancelled', delivered);
        // The page body is read inside call(): a network drop or timeout mid-download is the scanner
        // going offline (the session pauses with its pages), not a processing failure.
        const { res, image } = await this.call(async () => {
          const r = await this.http('GET', `${job}/NextDocument`);
          return { res: r, image: r.status === 200 ? Buffer.from(await r.arrayBuffer()) : null };
        }, delivered);
        if (res.status === 200) {
          const meta = await sharpLib()(image!)
            .metadata()
            .catch((err: Error) => this.fail('io', `unreadable page: ${err.message}`, delivered));
          const format = meta.format === 'jpeg' ? 'jpeg' : meta.format === 'png' ? 'png' : meta.format === 'tiff' ? 'tiff' : null;
          if (!format) this.fail('io', `unexpected page format ${meta.format}`, delivered);
          yield { index: delivered++, image: image!, format: format!, width: meta.width!, height: meta.height!, dpi: resolution };
          waitedSince = Date.now();
          continue;
        }
        await res.arrayBuffer().catch(() => undefined);
        if (res.status === 503) {
          if (Date.now() - waitedSince > this.pageTimeoutMs) this.fail('io', `no page within ${this.pageTimeoutMs} ms`, delivered);
          const retry = Number(res.headers.get('retry-after'));
          await sleep(Number.isFinite(retry) && retry > 0 ? Math.min(retry * 1000, 10_000) : this.pollMs, req.signal);
          continue;
        }
        if (res.status === 404 || res.status === 410) break;
        this.fail('io', `NextDocument answered ${res.status}`, delivered);
      }
      finished = true;
      // 404 ends the job; whether it ended well is in ScannerStatus (job state reasons, ADF state).
      const after = await this.call(() => this.scannerStatus(), delivered);
      const info = after.jobs.find((j) => job!.endsWith(j.uri) || j.uri.endsWith(new URL(job!).pathname));
      const reasons = [...(info?.reasons ?? []), after.adfState ?? ''].join(' ');
      if (/Jam|Mispick/i.test(reasons)) this.fail('jam', `job ended: ${reasons.trim()}`, delivered);
      if (/HatchOpen|DoorOpen|CoverOpen/i.test(reasons)) this.fail('cover-open', `job ended: ${reasons.trim()}`, delivered);
      if (delivered === 0 && feeder) this.fail('no-documents', 'the feeder delivered no page', 0);
      if (info && /Aborted/i.test(info.state)) this.fail('io', `job aborted: ${reasons.trim()}`, delivered);
    } finally {
      this.scanning = false;
      // A job that did not reach its 404 is cancelled so the scanner is free for the next one.
      if (job && !finished) await this.http('DELETE', job).then((r) => r.arrayBuffer(), () => undefined).catch(() => undefined);
    }
  }

  private fail(code: ScanErrorCode, detail: string, delivered: number): never {
    const t = SCAN_FAULT_TEXT[code];
    if (code === 'jam' || code === 'cover-open' || code === 'io') this.setStatus('error', { en: t.en, vi: t.vi, code });
    else if (code === 'no-documents' || code === 'busy') this.setStatus('connected', { en: t.en, vi: t.vi, code });
    throw new ScanError(code, `${t.en} (${detail})`, delivered);
  }

  /** Runs one request; a network failure makes the device offline (reconnect with backoff) and ends the scan. */
  private async call<T>(fn: () => Promise<T>, delivered: number): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ScanError) throw err;
      const msg = (err as Error).message;
      this.lost({ en: `scanner unreachable: ${msg}`, vi: 'không kết nối được máy quét', code: 'offline' });
      throw new ScanError('offline', `scanner unreachable: ${msg}`, delivered);
    }
  }

  private http(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetchImpl(url, { method, body, headers, signal: AbortSignal.timeout(30_000) });
  }
}

/** Waits `ms`, or less if `signal` aborts; the abort listener goes with the wait (a scan may poll for minutes). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const driver = defineDriver({
  type: 'document-scanner',
  name: 'escl',
  summary: 'Network scanners speaking eSCL/AirScan over HTTP: flatbed, feeder, duplex; pages arrive as JPEG.',
  schema: deviceSchema(
    'document-scanner',
    'escl',
    {
      url: key(Type.String({ minLength: 8, maxLength: 512, pattern: '^https?://' }), { title: 'eSCL URL', description: 'Base URL of the scanner’s eSCL service, e.g. http://192.0.2.10/eSCL (from its DNS-SD _uscan._tcp record: rs=eSCL).', default: '' }),
      pollMs: key(Type.Integer({ minimum: 50, maximum: 10000 }), { title: 'Poll interval', description: 'Pause after “page not ready” (503) when the scanner gives no Retry-After.', default: ESCL_DEFAULTS.pollMs }),
      pageTimeoutMs: key(Type.Integer({ minimum: 1000 }), { title: 'Page timeout', description: 'Longest wait for the next page (ms) before the job is cancelled as stuck.', default: ESCL_DEFAULTS.pageTimeoutMs }),
    },
    'A network document scanner speaking eSCL (AirScan).',
  ),
  create: (cfg) => new EsclScanner(cfg.id, cfg.url, cfg.pollMs, cfg.pageTimeoutMs),
});
