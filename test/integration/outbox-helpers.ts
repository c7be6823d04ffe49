/** Shared by the outbox tests and bench: delivery assertions, a mosquitto broker, free ports. */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { expect } from 'vitest';
import type { Receiver } from '../../src/outbox/receiver.ts';
import { makeEvent, type CloudEvent } from '../../src/outbox/envelope.ts';
import type { Db } from '../../src/store/db.ts';
import type { OutboxStore } from '../../src/outbox/store.ts';
import { tempDir } from '../helpers/agent.ts';
import { waitFor } from '../helpers/wait.ts';
import { spawnPeer, stopPeer, waitReady, type Peer } from '../helpers/peer.ts';

/** Every produced event arrived at least once, duplicates carry a known id, first arrivals keep order per subject. */
export function assertDeliveredInOrder(r: Pick<Receiver, 'events' | 'arrivals'>, produced: CloudEvent[]): void {
  const ids = new Set(produced.map((e) => e.id));
  expect(new Set(r.events.map((e) => e.id))).toEqual(ids);
  for (const a of r.arrivals) expect(ids.has(a.id)).toBe(true);
  const last = new Map<string, number>();
  for (const e of r.events) {
    const s = Number(e.sequence);
    expect(s, `order of subject ${e.subject}`).toBeGreaterThan(last.get(e.subject ?? '') ?? 0);
    last.set(e.subject ?? '', s);
  }
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 20000): Promise<void> {
  await waitFor(cond, { timeoutMs: ms });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });

/** mosquitto (Debian package) on a free port with its own config and persistence dir (sessions survive a graceful restart). */
export class Broker {
  private peer: Peer | null = null;
  readonly dir = tempDir('hcc-mosq-');
  /** Runs as the current user (as root mosquitto would switch to `mosquitto` and lose our temp dir). `extra` adds config lines; it gets the broker's directory for files it refers to (e.g. an ACL file). */
  constructor(readonly port: number, extra: (dir: string) => string = () => '') {
    // Its log goes to a file of its own, so a broker that will not start says why.
    writeFileSync(join(this.dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nuser ${userInfo().username}\nallow_anonymous true\npersistence true\npersistence_location ${this.dir}/\nlog_dest file ${this.log}\nlog_type error\nlog_type warning\nmax_queued_messages 0\n${extra(this.dir)}`);
  }
  get log(): string {
    return join(this.dir, 'mosquitto.log');
  }
  get proc(): ChildProcess | null {
    return this.peer?.child ?? null;
  }
  async start(): Promise<void> {
    this.peer = spawnPeer('mosquitto', 'mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { logFile: this.log });
    await waitReady(this.peer, () => canConnect(this.port), 10000);
  }
  async stop(): Promise<void> {
    const p = this.peer;
    this.peer = null;
    await stopPeer(p); // SIGTERM is graceful: mosquitto saves sessions to its persistence file
  }
}

/** Appends events of `type` for `subject` straight to an outbox store, each in its own transaction, keeping them in `produced` order. */
export function eventWriter(db: Db, store: OutboxStore) {
  const produced: CloudEvent[] = [];
  const add = (type: string, subject: string) => {
    const ev = makeEvent('urn:hcc:s:a', type, {}, subject);
    db.transaction(() => store.append(ev))();
    produced.push(ev);
    return ev;
  };
  return { produced, add };
}
