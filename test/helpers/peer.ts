/**
 * A system peer a test starts (cupsd, mosquitto, socat): when it will not start or answer, the
 * error says why in the peer's own words — the tail of its log file (cupsd and mosquitto write
 * their errors there, not to stderr), then its stderr and how it exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Peer {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** The peer's own account of itself: log tail, stderr, exit code or signal. */
  why(): string;
}

export function spawnPeer(name: string, cmd: string, args: string[], opts: { logFile?: string; env?: NodeJS.ProcessEnv } = {}): Peer {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
  let stderr = '';
  let spawnError = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.on('error', (err) => (spawnError = err.message)); // e.g. ENOENT: the package is missing
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const why = () => {
    const log = opts.logFile && existsSync(opts.logFile) ? readFileSync(opts.logFile, 'utf8').trim().split('\n').slice(-20).join('\n') : '';
    const end = child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode ? `signal ${child.signalCode}` : 'still running';
    return [spawnError && `could not run ${cmd}: ${spawnError}`, log && `${opts.logFile}:\n${log}`, stderr.trim() && `stderr: ${stderr.trim()}`, end].filter(Boolean).join('\n');
  };
  return { name, child, exited, why };
}

function hasEnded(p: Peer): boolean {
  return p.child.exitCode !== null || p.child.signalCode !== null || p.child.pid === undefined;
}

/** Waits until `ready()` holds; throws with the peer's own words if it exits first or never gets ready. */
export async function waitReady(p: Peer, ready: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (hasEnded(p)) {
      await p.exited;
      throw new Error(`${p.name} would not start; ${p.why()}`);
    }
    if (await ready()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${p.name} did not get ready within ${timeoutMs} ms; ${p.why()}`);
    await sleep(25);
  }
}

/** SIGTERM and wait; SIGKILL after `graceMs`. */
export async function stopPeer(p: Peer | null, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!p || hasEnded(p)) return;
  p.child.kill(signal);
  const killer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(killer);
}
