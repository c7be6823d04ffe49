/**
 * From a scanner's raw read to an `hcc.barcode.scanned` event: classify, drop repeats of the
 * same code within the duplicate window, publish to WebSocket clients, and forward dossier and
 * postal item scans through the outbox. Citizen ID data is never logged and forwarded only when
 * `barcode.forwardPersonal` says so.
 */
import type { Logger } from 'pino';
import { SCAN_REJECTED, type BarcodeScanner, type RawScan, type ScanRejection } from '../../drivers/contracts.ts';
import type { Events } from '../events.ts';
import type { CloudEvent } from '../outbox/envelope.ts';
import { compileDossierPattern } from '../dossier/codes.ts';
import { classifyBytes, symbologyName, type ScanKind } from './classify.ts';
import { BARCODE_DEFAULTS, type BarcodeConfig } from './config.ts';

export const BARCODE_SCANNED = 'hcc.barcode.scanned';

export interface BarcodeScannedData {
  device: string;
  /** AIM symbology identifier (`]Q1`…) when the scanner sent one. */
  symbology: string | null;
  /** Its name (`QR Code`…). */
  symbologyName: string | null;
  kind: ScanKind | 'rejected';
  raw: string;
  parsed: Record<string, unknown> | null;
  personal: boolean;
}

export class BarcodePipeline {
  /** Per scanner: code → performance.now() of its last read. */
  private readonly seen = new Map<string, Map<string, number>>();
  private suppressed = 0;

  constructor(
    private readonly events: Events,
    private readonly config: BarcodeConfig = BARCODE_DEFAULTS,
    private readonly log?: Logger,
  ) {
    // A bad configured pattern should stop the agent at startup, naming the key.
    for (const [i, p] of config.dossierPatterns.entries()) {
      try {
        compileDossierPattern(p);
      } catch (err) {
        throw new Error(`barcode.dossierPatterns[${i}]: ${(err as Error).message}`);
      }
    }
  }

  attach(scanner: BarcodeScanner): void {
    // A failure here must not travel back into the driver's read stream.
    const guard = (work: () => unknown) => {
      try {
        work();
      } catch (err) {
        this.log?.error({ err, device: scanner.id }, 'could not handle scan');
      }
    };
    scanner.on('scan', (scan: RawScan) => guard(() => this.handle(scanner.id, scan)));
    scanner.on(SCAN_REJECTED, (r: ScanRejection) => guard(() => this.rejected(scanner.id, r)));
  }

  /** Scans dropped as duplicates so far. */
  get duplicates(): number {
    return this.suppressed;
  }

  /** One read → one event, or null when it repeats the last read of the same code within the window. */
  handle(device: string, scan: RawScan): CloudEvent<BarcodeScannedData> | null {
    if (this.isDuplicate(device, scan)) {
      this.suppressed++;
      this.log?.debug({ device, length: scan.data.length }, 'duplicate scan suppressed');
      return null;
    }
    const c = classifyBytes(scan.data, { maxLength: this.config.maxLength, dossierPatterns: this.config.dossierPatterns }, scan.truncated === true);
    const data: BarcodeScannedData = {
      device,
      symbology: scan.aimId ?? null,
      symbologyName: symbologyName(scan.aimId),
      kind: c.kind,
      raw: c.raw,
      parsed: c.parsed,
      personal: c.personal,
    };
    // Only the kind and length: the content may be personal data.
    this.log?.info({ device, kind: c.kind, length: scan.data.length }, 'barcode scanned');
    const forward = c.forward || (c.kind === 'citizen-id' && this.config.forwardPersonal);
    if (forward) {
      try {
        return this.events.record(BARCODE_SCANNED, c.personal ? undefined : c.subject, data, { personal: c.personal });
      } catch (err) {
        // The store failing must not hide the scan from the clerk.
        this.log?.error({ err, device, kind: c.kind }, 'could not store scan for forwarding; published live only');
      }
    }
    return this.events.publish(BARCODE_SCANNED, c.personal ? undefined : c.subject, data);
  }

  /** A read the driver could not turn into text (e.g. a key outside the US layout). */
  rejected(device: string, r: ScanRejection): CloudEvent<BarcodeScannedData> {
    this.log?.warn({ device, code: r.code }, 'scan rejected');
    return this.events.publish(BARCODE_SCANNED, undefined, {
      device,
      symbology: null,
      symbologyName: null,
      kind: 'rejected',
      raw: '',
      parsed: { code: r.code, reason: r.reason, reasonVi: r.reasonVi },
      personal: false,
    });
  }

  private isDuplicate(device: string, scan: RawScan): boolean {
    const windowMs = this.config.dedupeWindowMs;
    if (windowMs <= 0) return false;
    let last = this.seen.get(device);
    if (!last) this.seen.set(device, (last = new Map()));
    const now = scan.receivedAt;
    for (const [k, t] of last) if (now - t > windowMs) last.delete(k);
    const codeKey = scan.data.toString('latin1');
    const prev = last.get(codeKey);
    // Sliding: a code held under a presentation scanner keeps re-reading; it is one scan until it stops.
    last.set(codeKey, now);
    return prev !== undefined && now - prev <= windowMs;
  }
}
