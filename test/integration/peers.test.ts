/**
 * The system peers the suite starts (cupsd, mosquitto, socat) say why when they will not start:
 * a Debian update that makes one refuse its test config must fail with the peer's own words, not
 * with an empty stderr or a bare time-out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateCupsd } from '../helpers/cupsd.ts';
import { PtyPair } from '../helpers/pty.ts';
import { Broker, freePort } from './outbox-helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a peer that will not start says why', () => {
  it('cupsd: the error carries its error_log line', async () => {
    const cups = new PrivateCupsd({ filesConf: ['User hcc-no-such-user'] });
    cleanups.push(() => cups.cleanup());
    await expect(cups.start()).rejects.toThrow(/cupsd would not start;[\s\S]*error_log:\n.*Unknown User "hcc-no-such-user"[\s\S]*exit code 1/);
  });

  it('mosquitto: the error carries its log file', async () => {
    const broker = new Broker(await freePort(), () => 'no_such_option true\n');
    cleanups.push(() => broker.stop());
    await expect(broker.start()).rejects.toThrow(/mosquitto would not start;[\s\S]*(Unknown configuration variable|no_such_option)/);
  });

  it('socat: the error carries its stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcc-peer-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // A link inside a folder that does not exist: socat says it cannot make it.
    const pair = new PtyPair(join(dir, 'missing'));
    cleanups.push(() => pair.stop());
    await expect(pair.start()).rejects.toThrow(/socat would not start;[\s\S]*stderr: .*E .*missing/);
  });
});
