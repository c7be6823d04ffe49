/**
 * Outbox bench: durable enqueue (own transaction each, synchronous=FULL) beside synchronous=OFF;
 * drain to a loopback HTTP receiver (central-dev, own process) and to mosquitto beside the bare transport without the
 * outbox; a 100,000-event backlog drained by a whole agent in a child process, with its peak RSS.
 * Run as a child (OUTBOX_BENCH_CHILD=1) this file is that agent.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import mqtt from 'mqtt';
import type { Row } from './run.ts';
import { openDatabase } from '../../src/store/db.ts';
import { OutboxStore, type OutboundEvent } from '../../src/outbox/store.ts';
import { Relay, type Transport } from '../../src/outbox/relay.ts';
import { Events } from '../../src/events.ts';
import { EventBus } from '../../src/bus.ts';
import { HttpTransport } from '../../src/outbox/transports/http.ts';
import { MqttTransport } from '../../src/outbox/transports/mqtt.ts';
import { makeEvent } from '../../src/outbox/envelope.ts';
import { tempDir } from '../helpers/agent.ts';
import { bundledNodeArgs } from '../helpers/process.ts';
import { Broker, freePort } from '../integration/outbox-helpers.ts';

const AREA = 'outbox';
const log = pino({ level: 'silent' });
const SOURCE = 'urn:hcc:bench:desk';

/** A dossier-received-sized payload (~700 bytes of JSON). */
function payload(i: number) {
  return {
    dossierCode: `000.00.21.H30-261122-${String(i % 10000).padStart(4, '0')}`, agencyName: 'UBND tỉnh Thừa Thiên Huế', request: 'Cấp giấy chứng nhận quyền sử dụng đất',
    applicant: { name: 'Nguyễn Văn Bình', address: '12 Lê Lợi, phường Vĩnh Ninh, TP Huế', phone: '0912345678' },
    components: [{ name: 'Đơn đăng ký', originals: 1, copies: 0 }, { name: 'Căn cước công dân', originals: 0, copies: 1 }, { name: 'Giấy tờ đất', originals: 1, copies: 1 }],
    sets: 1, processingTime: '15 ngày làm việc', receivedAt: '2026-11-22T02:00:00.000Z', appointmentAt: '2026-12-12T02:00:00.000Z', returnMethod: 'counter' as const, clerk: 'Trần Thị Hoa',
  };
}

function prefill(dataDir: string, n: number): void {
  const db = openDatabase(dataDir);
  const store = new OutboxStore(db);
  store.start();
  db.transaction(() => { for (let i = 0; i < n; i++) store.append(makeEvent(SOURCE, 'hcc.dossier.received', payload(i), `D${i % 500}`)); })();
  db.close();
}

/** Events recorded per second, each in its own transaction, for up to `ms`. */
function enqueueRate(sync: 'FULL' | 'OFF', ms: number, max: number): number {
  const dir = tempDir('hcc-bench-');
  const db = openDatabase(dir);
  db.pragma(`synchronous = ${sync}`);
  const store = new OutboxStore(db);
  store.start();
  const events = new Events(db, new EventBus(log), store, SOURCE);
  const t0 = performance.now();
  let n = 0;
  while (n < max && performance.now() - t0 < ms) events.record('hcc.dossier.received', `D${n % 50}`, payload(n++));
  const rate = n / ((performance.now() - t0) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

/** Drains n prefilled events through the relay; events/s. */
async function drainRate(n: number, transport: Transport): Promise<number> {
  const dir = tempDir('hcc-bench-');
  prefill(dir, n);
  const db = openDatabase(dir);
  const store = new OutboxStore(db);
  store.start();
  const relay = new Relay(store, transport, { maxEvents: 500, maxBytes: 1 << 20, backoffBaseMs: 10, backoffMaxMs: 200 }, log);
  const t0 = performance.now();
  await relay.start();
  while (relay.status().deliveredSinceStart < n) await new Promise((r) => setTimeout(r, 5));
  const rate = n / ((performance.now() - t0) / 1000);
  await relay.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

/** The same kind of batches sent by the bare transport (no outbox reads or updates): the ceiling. */
async function bareRate(n: number, transport: Transport): Promise<number> {
  const batches: OutboundEvent[][] = [];
  for (let b = 0; b < n / 500; b++) {
    const batch: OutboundEvent[] = [];
    for (let i = 0; i < 500; i++) {
      const ev = makeEvent(SOURCE, 'hcc.dossier.received', payload(i), `D${i}`);
      const json = JSON.stringify({ ...ev, sequence: String(b * 500 + i) });
      batch.push({ seq: b * 500 + i, id: ev.id, type: ev.type, subject: ev.subject!, json, size: json.length });
    }
    batches.push(batch);
  }
  await transport.start?.();
  const signal = new AbortController().signal;
  const t0 = performance.now();
  for (const batch of batches) {
    const r = await transport.send(batch, signal);
    if (r.retry) throw new Error(r.retry.error);
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await transport.stop?.();
  return rate;
}

const http = (url: string) => new HttpTransport({ url, token: 't', hmacSecret: 'secret', mode: 'batch', caFile: '', timeoutMs: 10000, source: SOURCE });

/**
 * The child: a whole agent on a prefilled outbox. The receiver refuses (503) until the child is
 * started and settled; then the parent lets it through and the child times the drain from there.
 */
async function child(): Promise<void> {
  const { validateConfig } = await import('../../src/config/load.ts');
  const { buildApp } = await import('../../src/app.ts');
  const config = validateConfig({
    agent: { id: 'bench', site: 'bench', listen: { host: '127.0.0.1', port: 0 }, dataDir: process.env.DATA_DIR },
    log: { level: 'silent' }, devices: [], queue: { role: 'host', services: [], counters: [] },
    central: { transport: 'http', http: { url: process.env.CENTRAL_URL, hmacSecret: 'secret' }, relay: { backoffBaseMs: 20, backoffMaxMs: 50 } },
  });
  const n = Number(process.env.N);
  const agent = await buildApp(config);
  await agent.start({ listen: false });
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = process.memoryUsage().rss;
  const idleHeap = process.memoryUsage().heapUsed;
  process.stdout.write('STARTED\n');
  await new Promise((r) => process.stdin.once('data', r));
  let peak = idleRss;
  let peakHeap = idleHeap;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const t0 = performance.now();
  while (agent.ctx.outbox.relay.status().deliveredSinceStart < n) await new Promise((r) => setTimeout(r, 10));
  const ms = performance.now() - t0;
  clearInterval(sampler);
  process.stdout.write(`${JSON.stringify({ ms, peak, idleRss, peakHeap, idleHeap })}\n`);
  await Promise.race([agent.stop(), new Promise((r) => setTimeout(r, 3000))]);
  process.exit(0);
}

interface BacklogResult { ms: number; peak: number; idleRss: number; peakHeap: number; idleHeap: number }

/** The reference receiver in its own process (`central-dev`), so it does not share the relay's event loop. */
async function externalReceiver(port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'central-dev', '--port', String(port)], { cwd: root, env: { ...process.env, HCC_CENTRAL_HMAC_SECRET: 'secret' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.once('data', () => resolve());
    proc.once('exit', () => reject(new Error('central-dev exited')));
  });
  proc.stdout.resume(); // one line per event: discarded
  return {
    url: `http://127.0.0.1:${port}/events`,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** The agent starts while the receiver is still down; once it has settled the receiver comes up and the drain is timed. */
async function backlog(n: number): Promise<BacklogResult> {
  const dir = tempDir('hcc-bench-');
  prefill(dir, n);
  const port = await freePort();
  let receiver: Awaited<ReturnType<typeof externalReceiver>> | null = null;
  try {
    const proc = spawn(process.execPath, await bundledNodeArgs(fileURLToPath(import.meta.url)), { env: { ...process.env, OUTBOX_BENCH_CHILD: '1', DATA_DIR: dir, CENTRAL_URL: `http://127.0.0.1:${port}/events`, N: String(n) }, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const exited = new Promise((res) => proc.once('exit', res));
    await new Promise<void>((resolve) => proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('STARTED')) resolve();
    }));
    receiver = await externalReceiver(port);
    proc.stdin.write('GO\n');
    await exited;
    return JSON.parse(out.trim().split('\n').pop()!) as BacklogResult;
  } finally {
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function bench(): Promise<Row[]> {
  const rows: Row[] = [];
  const full = enqueueRate('FULL', 3000, 20000);
  const off = enqueueRate('OFF', 2000, 50000);
  rows.push({ area: AREA, name: 'durable enqueue (own tx each, synchronous=FULL)', value: full, unit: 'events/s', reference: { name: 'synchronous=OFF', value: off } });

  const r = await externalReceiver(await freePort());
  try {
    const N = 20000;
    const bareHttp = await bareRate(N, http(r.url));
    const drained = await drainRate(N, http(r.url));
    rows.push({ area: AREA, name: `drain ${N} events to loopback HTTP (batches of 500, signed)`, value: drained, unit: 'events/s', reference: { name: 'bare HTTP transport', value: bareHttp }, target: '>= 10000', pass: drained >= 10000 });

    const broker = new Broker(await freePort());
    await broker.start();
    try {
      const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'bench-central' });
      let got = 0;
      sub.on('message', () => got++);
      await sub.subscribeAsync('hcc/#', { qos: 1 });
      const opts = { url: `mqtt://127.0.0.1:${broker.port}`, topicPrefix: 'hcc', site: 'bench', agentId: 'desk', username: '', password: '', caFile: '', ackTimeoutMs: 30000 };
      const waitConnected = async (t: MqttTransport) => { t.start(); for (let i = 0; i < 200 && (await t.send([], new AbortController().signal)).retry; i++) await new Promise((res) => setTimeout(res, 10)); };
      const bare = new MqttTransport({ ...opts, clientId: 'bench-bare' }, log);
      await waitConnected(bare);
      const bareMqtt = await bareRate(N, { name: 'mqtt', send: (b, s) => bare.send(b, s), stop: () => bare.stop() });
      const viaOutbox = new MqttTransport({ ...opts, clientId: 'bench-agent' }, log);
      await waitConnected(viaOutbox);
      const mq = await drainRate(N, { name: 'mqtt', send: (b, s) => viaOutbox.send(b, s), stop: () => viaOutbox.stop() });
      rows.push({ area: AREA, name: `drain ${N} events to mosquitto (QoS 1, PUBACK)`, value: mq, unit: 'events/s', reference: { name: 'bare MQTT transport', value: bareMqtt } });
      await sub.endAsync(true);
      void got;
    } finally {
      await broker.stop();
      rmSync(broker.dir, { recursive: true, force: true });
    }

    const B = 100_000;
    const b = await backlog(B);
    const MB = 1048576;
    rows.push({ area: AREA, name: `drain a ${B}-event backlog (whole agent, child process)`, value: b.ms / 1000, unit: 's', reference: { name: 'at 10000/s', value: B / 10000 }, target: '<= 10 s', pass: b.ms <= 10000 });
    rows.push({ area: AREA, name: 'peak RSS of the agent while draining it', value: b.peak / MB, unit: 'MB', reference: { name: 'same agent idle, started', value: b.idleRss / MB }, target: '< 200 MB', pass: b.peak < 200 * MB });
    rows.push({ area: AREA, name: 'RSS added by draining (peak - idle)', value: (b.peak - b.idleRss) / MB, unit: 'MB', reference: { name: 'peak JS heap used while draining', value: b.peakHeap / MB } });
  } finally {
    await r.stop();
  }
  return rows;
}

if (process.env.OUTBOX_BENCH_CHILD === '1') await child();
