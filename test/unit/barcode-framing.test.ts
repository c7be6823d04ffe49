/** ScanFramer: the byte stream of a serial scanner cut into reads, fed in arbitrary chunks. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RawScan } from '../../drivers/contracts.ts';
import { ScanFramer, SUFFIXES, type FramerOptions } from '../../drivers/barcode/framing.ts';
import { suffixName } from '../../drivers/barcode/serial.ts';
import { FakeClock } from '../helpers/clock.ts';

const base: FramerOptions = { suffix: '\r', silenceMs: 30, prefix: '', maxLength: 4096, aimIdentifiers: true };

function feed(opts: Partial<FramerOptions>, chunks: (string | Buffer)[]): RawScan[] {
  const f = new ScanFramer({ ...base, ...opts });
  const out: RawScan[] = [];
  f.on('data', (s: RawScan) => out.push(s));
  for (const c of chunks) f.write(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  return out;
}

const texts = (s: RawScan[]) => s.map((x) => x.data.toString('utf8'));

/** Splits `buf` at the given cut points. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out.filter((b) => b.length);
}

describe('ScanFramer', () => {
  it('frames on each suffix, tolerating a CR/LF mismatch with the scanner', () => {
    expect(texts(feed({ suffix: '\r' }, ['A1\rB2\r']))).toEqual(['A1', 'B2']);
    expect(texts(feed({ suffix: '\r' }, ['A1\r\nB2\r\n']))).toEqual(['A1', 'B2']);
    expect(texts(feed({ suffix: '\n' }, ['A1\r\nB2\n']))).toEqual(['A1', 'B2']);
    expect(texts(feed({ suffix: '\r\n' }, ['A1\r', '\nB\r2\r\n']))).toEqual(['A1', 'B\r2']);
    expect(texts(feed({ suffix: '\t' }, ['A 1\tB2\t']))).toEqual(['A 1', 'B2']);
    expect(feed({ suffix: '\r' }, ['\r\r\n\r'])).toEqual([]);
  });

  it('any split of the stream yields the same reads (property)', () => {
    const code = fc.string({ unit: fc.constantFrom(...'ABCXYZ0123456789-.|ễ '.split('')), minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(SUFFIXES)), fc.array(code, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (sfx, codes, cuts) => {
        const stream = Buffer.from(codes.map((c) => c + sfx).join(''), 'utf8');
        expect(texts(feed({ suffix: sfx }, split(stream, cuts)))).toEqual(codes);
      }),
      { numRuns: 500 },
    );
  });

  it('strips the prefix, then the AIM identifier', () => {
    const out = feed({ prefix: 'PFX' }, ['PFX]Q1hello\r', ']E0', '8934567890123\r', 'PFXplain\r', ']x\r']);
    expect(out.map((s) => [s.aimId, s.data.toString()])).toEqual([[']Q1', 'hello'], [']E0', '8934567890123'], [undefined, 'plain'], [undefined, ']x']]);
    const [raw] = feed({ aimIdentifiers: false }, [']Q1hello\r']);
    expect(raw.aimId).toBeUndefined();
    expect(raw.data.toString()).toBe(']Q1hello');
  });

  it('frames on silence when there is no suffix', () => {
    const clock = new FakeClock();
    const f = new ScanFramer({ ...base, suffix: null, silenceMs: 30 }, clock);
    const out: RawScan[] = [];
    f.on('data', (s: RawScan) => out.push(s));
    f.write(Buffer.from('EE1234'));
    clock.advance(29);
    f.write(Buffer.from('56785VN')); // a gap shorter than the silence: the same read
    clock.advance(29);
    expect(out).toEqual([]);
    clock.advance(1);
    expect(texts(out)).toEqual(['EE123456785VN']);
    f.write(Buffer.from('second'));
    clock.advance(30);
    expect(texts(out)).toEqual(['EE123456785VN', 'second']);
    expect(clock.pending()).toEqual([]);
  });

  it('cuts an over-long read once and drops the rest until the read ends', () => {
    const out = feed({ maxLength: 20 }, ['a'.repeat(15), 'b'.repeat(15), 'c'.repeat(100), '\rnext\r']);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ truncated: true });
    expect(out[0].data.toString()).toBe('a'.repeat(15) + 'b'.repeat(5));
    expect(out[1].data.toString()).toBe('next');
  });

  it('an over-long read whose CRLF is split across chunks does not swallow the next read', () => {
    const long = 'X'.repeat(40);
    const out = feed({ suffix: '\r\n', maxLength: 16 }, [long + '\r', '\nG-0001\r\n']);
    expect(out.map((s) => [s.data.toString(), s.truncated ?? false])).toEqual([
      ['X'.repeat(16), true],
      ['G-0001', false],
    ]);
    // Still discarding when the CR arrives (the cut happened in an earlier chunk).
    const later = feed({ suffix: '\r\n', maxLength: 16 }, [long, 'Y'.repeat(10) + '\r', '\nG-0002\r\n']);
    expect(later.map((s) => [s.data.toString(), s.truncated ?? false])).toEqual([
      ['X'.repeat(16), true],
      ['G-0002', false],
    ]);
  });

  it('any split of a stream with over-long reads yields the cut reads and every good one (property)', () => {
    const good = fc.string({ unit: fc.constantFrom(...'ABC0123-'.split('')), minLength: 1, maxLength: 16 });
    const long = fc.string({ unit: fc.constantFrom(...'XYZ'.split('')), minLength: 17, maxLength: 60 });
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(SUFFIXES)), fc.array(fc.oneof(good, long), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (sfx, codes, cuts) => {
        const stream = Buffer.from(codes.map((c) => c + sfx).join(''), 'utf8');
        const out = feed({ suffix: sfx, maxLength: 16 }, split(stream, cuts));
        expect(out.map((s) => [s.data.toString(), s.truncated ?? false])).toEqual(codes.map((c) => (c.length > 16 ? [c.slice(0, 16), true] : [c, false])));
      }),
    );
  });

  it('reports when the last byte arrived', () => {
    const t = performance.now();
    const [s] = feed({}, ['X\r']);
    expect(s.receivedAt).toBeGreaterThanOrEqual(t);
  });

  it('config suffix names and characters', () => {
    expect(suffixName('\r')).toBe('CR');
    expect(suffixName('CRLF')).toBe('CRLF');
    expect(suffixName('\t')).toBe('TAB');
    expect(suffixName('none')).toBe('none');
    expect(() => suffixName('X')).toThrow(/unknown suffix/);
  });
});
