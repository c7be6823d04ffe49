/**
 * The voice call "Mời công dân có số thứ tự A012 đến quầy số 3" as a WAV file: synthesised with
 * espeak-ng (Vietnamese voice) or joined from recorded clips, cached on disk per spoken text.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { QueueConfig } from './config.ts';

const run = promisify(execFile);

const INTRO = 'Mời công dân có số thứ tự';
const TO_COUNTER = 'đến quầy số';
const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

/** The call as shown on the board. */
export function callText(number: string, counter: string): string {
  return `${INTRO} ${number} ${TO_COUNTER} ${counter}`;
}

/**
 * The parts of the call as spoken: the ticket's letters and then each digit on its own
 * ("A, không, một, hai"), since espeak-ng reads "A012" as "A không mười hai".
 */
export function spokenParts(number: string, counter: string, counterDigits = true): string[] {
  const m = /^([A-Z]*)(\d*)$/.exec(number);
  const letters = m ? [...m[1]] : [number];
  const digits = m ? [...m[2]] : [];
  // Clips have one file per digit; espeak-ng says a counter number naturally ("mười hai").
  const counterParts = counterDigits && /^\d+$/.test(counter) ? [...counter] : [counter];
  return ['intro', ...letters, ...digits, 'to-counter', ...counterParts];
}

function spokenText(parts: string[]): string {
  const words = parts.map((p) => (p === 'intro' ? INTRO : p === 'to-counter' ? TO_COUNTER : /^\d$/.test(p) ? DIGITS[Number(p)] : p));
  // Commas give the pauses of a caller reading a number out; none after "đến quầy số".
  return `${words.slice(0, -1).join(', ')} ${words[words.length - 1]}`;
}

interface Wav {
  fmt: Buffer;
  data: Buffer;
}

/** Reads the fmt and data chunks of a RIFF/WAVE file. */
export function parseWav(buf: Buffer): Wav {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let fmt: Buffer | undefined;
  let data: Buffer | undefined;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('ascii', off, off + 4);
    // A clip cut short (or streamed with an unknown size) claims more than it holds: clamp to what is there.
    const size = Math.min(buf.readUInt32LE(off + 4), buf.length - off - 8);
    if (id === 'fmt ') fmt = buf.subarray(off + 8, off + 8 + size);
    if (id === 'data') data = buf.subarray(off + 8, off + 8 + size);
    off += 8 + size + (size % 2);
  }
  if (!fmt || !data) throw new Error('WAV file without fmt or data chunk');
  return { fmt, data };
}

export function buildWav(fmt: Buffer, data: Buffer): Buffer {
  const head = Buffer.alloc(12 + 8 + fmt.length + 8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(4 + 8 + fmt.length + 8 + data.length, 4);
  head.write('WAVE', 8, 'ascii');
  head.write('fmt ', 12, 'ascii');
  head.writeUInt32LE(fmt.length, 16);
  fmt.copy(head, 20);
  head.write('data', 20 + fmt.length, 'ascii');
  head.writeUInt32LE(data.length, 24 + fmt.length);
  return Buffer.concat([head, data]);
}

/** Joins clips of one PCM format into one WAV. */
export function joinWavs(clips: Buffer[]): Buffer {
  const parsed = clips.map(parseWav);
  const fmt = parsed[0].fmt;
  for (const p of parsed) if (!p.fmt.equals(fmt)) throw new Error('voice clips differ in format; record them all with the same rate, channels and bits');
  return buildWav(fmt, Buffer.concat(parsed.map((p) => p.data)));
}

export class Voice {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly cacheDir: string;

  constructor(
    private readonly cfg: QueueConfig['voice'],
    dataDir: string,
  ) {
    this.cacheDir = join(dataDir, 'queue-voice');
  }

  /**
   * Removes cached calls older than `maxAgeDays` (the cache could otherwise grow to every number
   * × every counter, ~300 KB each). Returns how many were removed.
   */
  async prune(maxAgeDays: number, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.cacheDir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const file = join(this.cacheDir, name);
      const st = await stat(file).catch(() => null);
      if (st && now - st.mtimeMs > maxAgeDays * 86_400_000) {
        await unlink(file).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  /** The WAV of a call; the same text is produced once and then read from the cache. */
  wav(number: string, counter: string): Promise<Buffer> {
    const parts = spokenParts(number, counter, this.cfg.engine === 'clips');
    const key = createHash('sha256')
      .update(JSON.stringify([this.cfg.engine, this.cfg.espeakVoice, this.cfg.speed, this.cfg.clipsDir, parts]))
      .digest('hex')
      .slice(0, 32);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.produce(key, parts).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async produce(key: string, parts: string[]): Promise<Buffer> {
    const file = join(this.cacheDir, `${key}.wav`);
    try {
      return await readFile(file);
    } catch {}
    await mkdir(this.cacheDir, { recursive: true });
    let wav: Buffer;
    if (this.cfg.engine === 'clips') {
      wav = joinWavs(await Promise.all(parts.map((p) => readFile(join(this.cfg.clipsDir, `${p}.wav`)))));
    } else {
      const tmp = `${file}.${process.pid}.tmp`;
      await run('espeak-ng', ['-v', this.cfg.espeakVoice, '-s', String(this.cfg.speed), '-w', tmp, spokenText(parts)], { timeout: 15000 });
      wav = await readFile(tmp);
      await rename(tmp, file);
      return wav;
    }
    await writeFile(`${file}.tmp`, wav);
    await rename(`${file}.tmp`, file);
    return wav;
  }
}
