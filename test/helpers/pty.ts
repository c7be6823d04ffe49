/**
 * A socat pseudo-terminal pair standing in for a serial cable: the driver opens `agentEnd`, the
 * device (a test scanner or printer peer) sits on `deviceEnd`. stop() unplugs it; start() again
 * replugs it on the same paths.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnPeer, waitReady } from './peer.ts';

export class PtyPair {
  private proc: ChildProcess | null = null;
  constructor(readonly dir: string) {}
  get deviceEnd(): string {
    return join(this.dir, 'a');
  }
  get agentEnd(): string {
    return join(this.dir, 'b');
  }

  async start(): Promise<void> {
    // A SIGKILLed socat leaves its links behind: the wait below must see the new ones, not those.
    rmSync(this.deviceEnd, { force: true });
    rmSync(this.agentEnd, { force: true });
    const peer = spawnPeer('socat', 'socat', [`pty,raw,echo=0,link=${this.deviceEnd}`, `pty,raw,echo=0,link=${this.agentEnd}`]);
    this.proc = peer.child;
    await waitReady(peer, () => existsSync(this.deviceEnd) && existsSync(this.agentEnd), 5000);
  }

  /** SIGKILL pulls the cable mid-transfer; SIGTERM lets socat close both ends. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }

  /** Writes like a device: each part is one write() on the pty, a few ms apart. */
  async write(...parts: (string | Buffer)[]): Promise<void> {
    const fd = openSync(this.deviceEnd, constants.O_WRONLY | constants.O_NOCTTY);
    try {
      for (const [i, p] of parts.entries()) {
        writeSync(fd, typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
        if (i < parts.length - 1) await sleep(5);
      }
    } finally {
      closeSync(fd);
    }
  }
}
