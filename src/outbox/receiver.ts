/**
 * A tiny reference receiver of the HTTP transport, for demos (`npm run central:dev`) and tests.
 * It verifies the bearer token and the HMAC signature, deduplicates by source + id, answers
 * dossier status look-ups from what it received, and can fail on purpose. It is not the central system.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent } from './envelope.ts';
import { isEvent } from '../event-map.ts';
import { HEADERS, sign } from './transports/http.ts';

/** How the receiver answers one request, chosen by `behave`. Default: verify, store, 200. */
export interface Action {
  /** Answer this status (after `delayMs`), e.g. 500 or 429 with a Retry-After header. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (slow central side). */
  delayMs?: number;
  /** Destroy the connection without answering (connection reset). */
  reset?: boolean;
  /** Never answer (the client times out). */
  hang?: boolean;
  /** Store the events before failing: the client does not learn it and re-sends (duplicates). */
  record?: boolean;
}

/** `n` counts POSTs from 1; `events` is what the request carries (empty when it failed the checks). */
export type Behaviour = (req: { n: number; events: CloudEvent[] }) => Action | undefined;

export interface ReceiverOptions {
  host?: string;
  port?: number;
  token?: string;
  hmacSecret?: string;
  /** Largest accepted clock difference of X-HCC-Timestamp, seconds. */
  toleranceS?: number;
  behave?: Behaviour;
  /** One line per event received (type, subject, id — never the data, which may be personal). */
  print?: (line: string) => void;
}

export interface Arrival {
  source: string;
  id: string;
  subject?: string;
  type: string;
  sequence?: string;
  duplicate: boolean;
}

/** Checks `sha256=<hex>` over `timestamp + "." + body` and the timestamp's freshness. Null when fine, else why not. */
export function verifySignature(secret: string, timestamp: string | undefined, signature: string | undefined, body: Buffer, nowS = Date.now() / 1000, toleranceS = 300): string | null {
  if (!timestamp || !/^\d+$/.test(timestamp)) return `missing or malformed ${HEADERS.timestamp}`;
  if (Math.abs(nowS - Number(timestamp)) > toleranceS) return `${HEADERS.timestamp} is more than ${toleranceS} s away from now`;
  if (!signature) return `missing ${HEADERS.signature}`;
  const want = Buffer.from(sign(secret, timestamp, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got) ? null : 'signature does not match';
}

export class Receiver {
  private server: http.Server | null = null;
  private readonly seen = new Map<string, CloudEvent>();
  /** First arrivals, in arrival order. */
  readonly events: CloudEvent[] = [];
  /** Every arrival, duplicates included. */
  readonly arrivals: Arrival[] = [];
  requests = 0;
  rejected = 0;
  behave: Behaviour | undefined;
  private waiters: { n: number; resolve: () => void }[] = [];
  port = 0;

  constructor(private readonly opts: ReceiverOptions = {}) {
    this.behave = opts.behave;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  get statusUrl(): string {
    return `http://127.0.0.1:${this.port}/api/dossiers/{code}`;
  }

  get duplicates(): number {
    return this.arrivals.length - this.events.length;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Resolves once `n` distinct events arrived. */
  waitFor(n: number, timeoutMs = 30000): Promise<void> {
    if (this.events.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`receiver got ${this.events.length} of ${n} events within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => { clearTimeout(t); resolve(); } });
    });
  }

  private record(list: CloudEvent[]): void {
    for (const ev of list) {
      const key = `${ev.source} ${ev.id}`;
      const duplicate = this.seen.has(key);
      this.arrivals.push({ source: ev.source, id: ev.id, subject: ev.subject, type: ev.type, sequence: ev.sequence, duplicate });
      if (duplicate) continue;
      this.seen.set(key, ev);
      this.events.push(ev);
      this.opts.print?.(`${ev.sequence ?? '-'} ${ev.type} ${ev.subject ?? '-'} ${ev.id} ${ev.source}`);
    }
    this.waiters = this.waiters.filter((w) => (this.events.length >= w.n ? (w.resolve(), false) : true));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path.startsWith('/api/dossiers/')) return this.status(decodeURIComponent(path.slice('/api/dossiers/'.length)), res);
    if (req.method !== 'POST') return this.answer(res, 404, { error: 'not-found' });
    this.requests++;

    const problem = this.check(req, body);
    let list: CloudEvent[] = [];
    if (!problem) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as CloudEvent | CloudEvent[];
        list = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        return this.answer(res, 400, { error: 'bad-json' });
      }
    }
    const action = this.behave?.({ n: this.requests, events: list });
    if (action) {
      if (action.record && !problem) this.record(list);
      if (action.delayMs) await new Promise((r) => setTimeout(r, action.delayMs));
      if (action.reset) return void req.socket.destroy();
      if (action.hang) return;
      if (action.status !== undefined) {
        res.writeHead(action.status, { 'content-type': 'text/plain', ...action.headers });
        return void res.end(action.body ?? '');
      }
    }
    if (problem) {
      this.rejected++;
      return this.answer(res, 401, { error: 'unauthorized', message: problem });
    }
    if (!action?.record) this.record(list);
    this.answer(res, 200, { accepted: list.length });
  }

  private check(req: http.IncomingMessage, body: Buffer): string | null {
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) return 'bad or missing bearer token';
    if (this.opts.hmacSecret) {
      const h = (n: string) => req.headers[n] as string | undefined;
      return verifySignature(this.opts.hmacSecret, h(HEADERS.timestamp), h(HEADERS.signature), body, Date.now() / 1000, this.opts.toleranceS ?? 300);
    }
    return null;
  }

  /** What this receiver knows of a dossier: the last dossier event it got for that subject. */
  private status(code: string, res: http.ServerResponse): void {
    const evs = this.events.filter((e) => e.subject === code && e.type.startsWith('hcc.dossier.'));
    if (evs.length === 0) return this.answer(res, 404, { error: 'not-found', code });
    const last = evs[evs.length - 1];
    const received = evs.find((e) => isEvent(e, 'hcc.dossier.received'))?.data;
    const returned = isEvent(last, 'hcc.dossier.result.returned');
    this.answer(res, 200, {
      code,
      status: returned ? 'returned' : 'processing',
      statusText: returned ? 'Result returned' : 'Being processed',
      statusTextVi: returned ? 'Đã trả kết quả' : 'Đang giải quyết',
      appointmentAt: received?.appointmentAt,
      updatedAt: last.time,
    });
  }

  private answer(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

/** `npm run central:dev`: runs the receiver until SIGINT/SIGTERM. */
export async function runCentralDev(opts: { port?: number; host?: string; token?: string; hmacSecret?: string }): Promise<void> {
  const r = await new Receiver({ ...opts, print: (l) => process.stdout.write(`${l}\n`) }).start();
  process.stdout.write(`central-dev receiver: events ${r.url}, status ${r.statusUrl}; ${opts.hmacSecret ? 'verifying signatures' : 'no HMAC secret (unsigned requests accepted)'}\n`);
  const stop = () => void r.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
