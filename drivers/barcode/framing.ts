/**
 * Cuts a scanner's byte stream into reads. A scanner ends each read with a configured suffix
 * (CR, LF, CRLF or TAB) or, if it sends none, falls silent; some put a configured prefix and an
 * AIM symbology identifier (ISO/IEC 15424: `]` + code character + modifier, e.g. `]Q1`) first.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { RawScan } from '../contracts.ts';
import { realClock, type Clock } from '../support/clock.ts';

/** Suffix names as they appear in config, and their bytes. */
export const SUFFIXES = { CR: '\r', LF: '\n', CRLF: '\r\n', TAB: '\t' } as const;
export type SuffixName = keyof typeof SUFFIXES;

export interface FramerOptions {
  /** Bytes that end a read; null frames on silence instead. */
  suffix: string | null;
  /** Silence that ends a read when there is no suffix. */
  silenceMs: number;
  /** Stripped from the start of a read when present. */
  prefix: string;
  /** Longest read in bytes; longer reads are cut and marked truncated (the rest until the next end is dropped). */
  maxLength: number;
  /** Recognise a leading AIM symbology identifier. */
  aimIdentifiers: boolean;
}

/** `]` + symbology code character + modifier character (ISO/IEC 15424). */
const AIM_ID = /^\][A-Za-z][0-9A-Za-z]$/;

const CR = 0x0d;
const LF = 0x0a;

export class ScanFramer extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  /** After a cut, bytes are dropped until the read ends. */
  private discarding = false;
  private timer: unknown = null;
  private lastByteAt = 0;
  private readonly suffix: Buffer | null;
  private readonly prefix: Buffer;
  /** Raw frame cap: the data cap plus room for the prefix and an AIM identifier. */
  private readonly cap: number;

  /** `clock` times the silence that ends a read; a test passes a fake one. */
  constructor(
    private readonly opts: FramerOptions,
    private readonly clock: Clock = realClock,
  ) {
    super({ readableObjectMode: true });
    this.suffix = opts.suffix ? Buffer.from(opts.suffix, 'latin1') : null;
    this.prefix = Buffer.from(opts.prefix, 'utf8');
    this.cap = opts.maxLength + this.prefix.length + 3;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.lastByteAt = performance.now();
    if (this.suffix) this.splitOnSuffix(chunk);
    else this.collectUntilSilence(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.clearTimer();
    if (!this.suffix) this.endFrame();
    done();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.clearTimer();
    cb(err);
  }

  private splitOnSuffix(chunk: Buffer): void {
    const sfx = this.suffix!;
    // Look back far enough to find a suffix split across chunks.
    const from = Math.max(0, this.buf.length - (sfx.length - 1));
    let data = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let searchFrom = from;
    for (;;) {
      const at = data.indexOf(sfx, searchFrom);
      if (at < 0) break;
      this.buf = data.subarray(0, at);
      this.endFrame();
      data = data.subarray(at + sfx.length);
      searchFrom = 0;
    }
    this.buf = data;
    this.enforceCap();
  }

  private collectUntilSilence(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.enforceCap();
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.endFrame();
    }, this.opts.silenceMs);
  }

  private enforceCap(): void {
    if (this.discarding) {
      this.buf = this.suffixTail();
      return;
    }
    if (this.buf.length <= this.cap) return;
    this.emitFrame(this.buf.subarray(0, this.cap), true);
    this.buf = this.suffixTail();
    this.discarding = true;
  }

  /**
   * What must survive dropping the buffer: its last suffix.length − 1 bytes, which may be the start
   * of a suffix split across chunks (the CR of a CRLF); losing it would swallow the next read too.
   */
  private suffixTail(): Buffer {
    const keep = this.suffix ? Math.min(this.buf.length, this.suffix.length - 1) : 0;
    return keep ? Buffer.from(this.buf.subarray(this.buf.length - keep)) : Buffer.alloc(0);
  }

  private endFrame(): void {
    const frame = this.buf;
    this.buf = Buffer.alloc(0);
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    this.emitFrame(frame, false);
  }

  private emitFrame(frame: Buffer, truncated: boolean): void {
    // A scanner set to CRLF while we split on CR (or the reverse) leaves stray CR/LF at the ends.
    let start = 0;
    let end = frame.length;
    while (start < end && (frame[start] === CR || frame[start] === LF)) start++;
    while (!truncated && end > start && (frame[end - 1] === CR || frame[end - 1] === LF)) end--;
    let data = frame.subarray(start, end);
    if (data.length === 0) return;
    if (this.prefix.length && data.subarray(0, this.prefix.length).equals(this.prefix)) data = data.subarray(this.prefix.length);
    let aimId: string | undefined;
    if (this.opts.aimIdentifiers && data.length >= 3 && AIM_ID.test(data.subarray(0, 3).toString('latin1'))) {
      aimId = data.subarray(0, 3).toString('latin1');
      data = data.subarray(3);
    }
    if (data.length > this.opts.maxLength) {
      data = data.subarray(0, this.opts.maxLength);
      truncated = true;
    }
    // Copy: the frame may be a view of a pooled chunk that the stream reuses.
    const scan: RawScan = { data: Buffer.from(data), receivedAt: this.lastByteAt };
    if (aimId) scan.aimId = aimId;
    if (truncated) scan.truncated = true;
    this.push(scan);
  }

  private clearTimer(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
