/**
 * Scan latency: from the last byte written on the scanner's end of a socat pty pair to the
 * `hcc.barcode.scanned` message at a WebSocket client of a real agent (serial driver at
 * 115200 baud, CR suffix, dossier codes — the path that also writes the outbox). Beside it, the
 * raw pty read latency (serialport reading a second socat pair) measured in the same run.
 * A pty has no line time, so the figure excludes it by construction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { SerialPort } from 'serialport';
import type { Row } from './run.ts';
import { startAgent, tempDir, testConfig } from '../helpers/agent.ts';
import { formatDossierCode } from '../../src/dossier/codes.ts';

const SCANS = 1000;
const WARMUP = 50;

async function ptyPair(dir: string, name: string): Promise<{ proc: ChildProcess; a: string; b: string }> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  const proc = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !(existsSync(a) && existsSync(b)); i++) await sleep(10);
  if (!existsSync(b)) throw new Error('socat did not create the pty pair');
  return { proc, a, b };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `n` rounds of: write one line on `fd`, wait until `arrived` resolves; returns latencies in ms. */
async function measure(fd: number, n: number, line: (i: number) => string, next: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = Buffer.from(line(i), 'latin1');
    const arrived = next();
    writeSync(fd, bytes);
    const t0 = performance.now();
    await arrived;
    out.push(performance.now() - t0);
  }
  return out;
}

export default async function bench(): Promise<Row[]> {
  const dir = tempDir('hcc-barcode-bench-');
  const procs: ChildProcess[] = [];
  const fds: number[] = [];
  let refPort: SerialPort | null = null;
  try {
    // Reference: the same bytes through a bare pty pair read by serialport, nothing else.
    const ref = await ptyPair(dir, 'ref');
    procs.push(ref.proc);
    const port = (refPort = new SerialPort({ path: ref.b, baudRate: 115200, autoOpen: false }));
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    let waiter: (() => void) | null = null;
    let got = '';
    port.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.endsWith('\r')) {
        got = '';
        waiter?.();
      }
    });
    const refFd = openSync(ref.a, constants.O_WRONLY | constants.O_NOCTTY);
    fds.push(refFd);
    const refNext = () => new Promise<void>((r) => (waiter = r));
    const code = (i: number) => formatDossierCode('000.00.21.H30', '2026-11-22', i % 10000) + '\r';
    await measure(refFd, WARMUP, code, refNext);
    const rawMs: number[] = [];

    // The agent: serial driver → pipeline → outbox + bus → WebSocket.
    const pair = await ptyPair(dir, 'agent');
    procs.push(pair.proc);
    const config = testConfig({
      devices: [{ id: 'desk-scanner', type: 'barcode', driver: 'serial', path: pair.b, baudRate: 115200, suffix: 'CR' }],
      queue: {},
    });
    const agent = await startAgent(config, { listen: true });
    try {
      const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/api/v1/events`);
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      let wsWaiter: (() => void) | null = null;
      ws.on('message', (m) => {
        if ((JSON.parse(m.toString()) as { type: string }).type === 'hcc.barcode.scanned') wsWaiter?.();
      });
      const fd = openSync(pair.a, constants.O_WRONLY | constants.O_NOCTTY);
      fds.push(fd);
      const next = () => new Promise<void>((r) => (wsWaiter = r));
      // Distinct codes: a repeat within 800 ms would (rightly) be suppressed as a duplicate.
      // Dossier scans (stored in the outbox, fsync'd, then published) alternate with plain text
      // scans (published live only) and reference reads, so all three run under the same machine load.
      const dossier = (i: number) => formatDossierCode('000.00.21.H30', '2026-11-23', i % 10000) + '\r';
      const text = (i: number) => `LIVE-ONLY-${i}\r`;
      await measure(fd, WARMUP, (i) => (i % 2 ? text(SCANS + i) : dossier(SCANS + i)), next);
      const dossierMs: number[] = [];
      const textMs: number[] = [];
      for (let i = 0; i < SCANS; i++) {
        dossierMs.push(...(await measure(fd, 1, () => dossier(i), next)));
        textMs.push(...(await measure(fd, 1, () => text(i), next)));
        rawMs.push(...(await measure(refFd, 1, () => code(i), refNext)));
      }
      rawMs.sort((x, y) => x - y);
      ws.close();
      dossierMs.sort((x, y) => x - y);
      textMs.sort((x, y) => x - y);

      const rows: Row[] = [];
      for (const [what, ms] of [
        [`dossier scans, stored in the outbox (synchronous=FULL) then published`, dossierMs],
        [`text scans, published live only`, textMs],
      ] as const) {
        const label = `last byte on pty → WebSocket message, serial 115200, ${SCANS} ${what}`;
        const p99 = percentile(ms, 99);
        rows.push(
          { area: 'barcode', name: `${label}: p50`, value: percentile(ms, 50), unit: 'ms', reference: { name: 'raw pty read p50', value: percentile(rawMs, 50) } },
          { area: 'barcode', name: `${label}: p99`, value: p99, unit: 'ms', reference: { name: 'raw pty read p99', value: percentile(rawMs, 99) }, target: '< 10 ms', pass: p99 < 10 },
        );
      }
      return rows;
    } finally {
      await agent.cleanup();
    }
  } finally {
    for (const fd of fds) closeSync(fd);
    const p = refPort as SerialPort | null;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    for (const p of procs) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
