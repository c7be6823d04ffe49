/** Voice call text, espeak-ng synthesis with its cache, recorded clips joined; local time for the queue. */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Voice, buildWav, callText, joinWavs, parseWav, spokenParts } from '../../src/queue/voice.ts';
import { isOpenAt, localTime } from '../../src/queue/clock.ts';
import { tempDir } from '../helpers/agent.ts';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('hcc-voice-');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const voiceCfg = { enabled: true, engine: 'espeak' as const, espeakVoice: 'vi', speed: 160, clipsDir: '' };

describe('voice call', () => {
  it('says the number digit by digit', () => {
    expect(callText('A012', '3')).toBe('Mời công dân có số thứ tự A012 đến quầy số 3');
    expect(spokenParts('A012', '3')).toEqual(['intro', 'A', '0', '1', '2', 'to-counter', '3']);
    expect(spokenParts('AB105', 'ba')).toEqual(['intro', 'A', 'B', '1', '0', '5', 'to-counter', 'ba']);
    expect(spokenParts('A012', '12', false)).toEqual(['intro', 'A', '0', '1', '2', 'to-counter', '12']);
  });

  it('synthesises with espeak-ng once per text and then answers from the cache', async () => {
    const data = dir();
    const v = new Voice(voiceCfg, data);
    const [a, b] = await Promise.all([v.wav('A012', '3'), v.wav('A012', '3')]);
    expect(a.toString('ascii', 0, 4)).toBe('RIFF');
    const { fmt, data: pcm } = parseWav(a);
    expect(fmt.readUInt16LE(0)).toBe(1); // PCM
    const rate = fmt.readUInt32LE(4);
    const seconds = pcm.length / (rate * fmt.readUInt16LE(2) * (fmt.readUInt16LE(14) / 8));
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(15);
    expect(b.equals(a)).toBe(true);
    const cached = readdirSync(join(data, 'queue-voice'));
    expect(cached).toHaveLength(1);
    const mtime = statSync(join(data, 'queue-voice', cached[0])).mtimeMs;
    expect((await v.wav('A012', '3')).equals(a)).toBe(true);
    expect(statSync(join(data, 'queue-voice', cached[0])).mtimeMs).toBe(mtime);
    await v.wav('A013', '3');
    expect(readdirSync(join(data, 'queue-voice'))).toHaveLength(2);
  });

  it('prunes cached calls older than the limit', async () => {
    const data = dir();
    const v = new Voice(voiceCfg, data);
    await v.wav('A001', '1');
    await v.wav('A002', '1');
    const [old] = readdirSync(join(data, 'queue-voice'));
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(join(data, 'queue-voice', old), tenDaysAgo, tenDaysAgo);
    expect(await v.prune(7)).toBe(1);
    expect(readdirSync(join(data, 'queue-voice'))).toHaveLength(1);
    expect(await new Voice(voiceCfg, dir()).prune(7)).toBe(0); // no cache yet
  });

  it('joins recorded clips of one format', async () => {
    const clips = dir();
    // Record the clips with espeak-ng itself: same rate and format, as a site's recordings would be.
    const say = (name: string, text: string) => execFileSync('espeak-ng', ['-v', 'vi', '-w', join(clips, `${name}.wav`), text]);
    say('intro', 'Mời công dân có số thứ tự');
    say('to-counter', 'đến quầy số');
    for (const [d, w] of ['không', 'một', 'hai', 'ba'].entries()) say(String(d), w);
    say('A', 'a');
    const v = new Voice({ ...voiceCfg, engine: 'clips', clipsDir: clips }, dir());
    const wav = await v.wav('A012', '3');
    const parts = ['intro', 'A', '0', '1', '2', 'to-counter', '3'].map((p) => parseWav(readFileSync(join(clips, `${p}.wav`))).data.length);
    expect(parseWav(wav).data.length).toBe(parts.reduce((a, b) => a + b, 0));
    await expect(v.wav('A019', '3')).rejects.toThrow(/ENOENT/); // no 9.wav recorded
  });

  it('refuses clips of different formats', () => {
    const fmt = (rate: number) => {
      const f = Buffer.alloc(16);
      f.writeUInt16LE(1, 0);
      f.writeUInt16LE(1, 2);
      f.writeUInt32LE(rate, 4);
      f.writeUInt32LE(rate * 2, 8);
      f.writeUInt16LE(2, 12);
      f.writeUInt16LE(16, 14);
      return f;
    };
    const a = buildWav(fmt(22050), Buffer.alloc(100));
    const b = buildWav(fmt(16000), Buffer.alloc(100));
    expect(parseWav(joinWavs([a, a])).data.length).toBe(200);
    expect(() => joinWavs([a, b])).toThrow(/differ in format/);
    expect(() => parseWav(Buffer.from('nope'))).toThrow(/not a WAV/);
  });
});

describe('local time', () => {
  it('changes day at midnight in Vietnam', () => {
    expect(localTime(new Date('2026-11-22T16:59:59Z'), 'Asia/Ho_Chi_Minh')).toEqual({ day: '2026-11-22', weekday: 0, minutes: 23 * 60 + 59 });
    expect(localTime(new Date('2026-11-22T17:00:00Z'), 'Asia/Ho_Chi_Minh')).toEqual({ day: '2026-11-23', weekday: 1, minutes: 0 });
  });

  it('opening sessions by weekday and minute', () => {
    const hours = [
      { days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' },
      { days: [1, 2, 3, 4, 5], from: '13:30', to: '17:00' },
    ];
    const at = (iso: string) => isOpenAt(hours, new Date(iso), 'Asia/Ho_Chi_Minh');
    expect(at('2026-11-23T00:30:00Z')).toBe(true); // Mon 07:30
    expect(at('2026-11-23T05:00:00Z')).toBe(false); // Mon 12:00 lunch
    expect(at('2026-11-23T06:30:00Z')).toBe(true); // Mon 13:30
    expect(at('2026-11-22T03:00:00Z')).toBe(false); // Sunday
    expect(isOpenAt([], new Date(), 'Asia/Ho_Chi_Minh')).toBe(true);
  });
});
