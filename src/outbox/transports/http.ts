/**
 * HTTP transport: CloudEvents over HTTP(S) to the central API. Batch mode POSTs
 * `application/cloudevents-batch+json` (CloudEvents JSON format §4); structured mode POSTs one
 * `application/cloudevents+json` per event. Each request carries a bearer token and an
 * HMAC-SHA256 signature of `timestamp + "." + body` (docs/central.md says how to verify it).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { OutboundEvent } from '../store.ts';
import type { SendResult, Transport } from '../relay.ts';
import { readCaFile, withSystemRoots } from '../../tls.ts';

/** Header names; the receiver (src/outbox/receiver.ts) and docs/central.md use the same. */
export const HEADERS = {
  timestamp: 'x-hcc-timestamp',
  signature: 'x-hcc-signature',
  source: 'x-hcc-source',
  count: 'x-hcc-event-count',
} as const;

export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`); the body may come in pieces. */
export function sign(secret: string, timestamp: string, body: string | Buffer | readonly (string | Buffer)[]): string {
  const h = createHmac('sha256', secret).update(`${timestamp}.`);
  for (const p of Array.isArray(body) ? body : [body]) h.update(p);
  return `sha256=${h.digest('hex')}`;
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * Answers about the link, the credentials or the address rather than the events (a redirect, 401
 * from a skewed clock or a wrong token, 403, a wrong URL's 404/405, a proxy's 407, 421): a person
 * must fix something, and every event would get the same answer, so the batch waits and is retried.
 */
export function isLinkProblem(status: number): boolean {
  return (status >= 300 && status < 400) || [401, 403, 404, 405, 407, 421].includes(status);
}

/**
 * Retryable statuses: the server may accept the same request later. Only the remaining 4xx (400,
 * 409, 413, 415, 422…) refuse the content itself and may make dead letters.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500 || status < 200 || isLinkProblem(status);
}

export interface HttpTransportOptions {
  url: string;
  token: string;
  hmacSecret: string;
  mode: 'batch' | 'structured';
  caFile: string;
  timeoutMs: number;
  source: string;
  /** The desk's clock for the signature timestamp; injectable so a test can skew it. */
  now?: () => number;
}

interface Answer {
  status: number;
  statusText: string;
  body: string;
  retryAfter?: string;
  location?: string;
}

export class HttpTransport implements Transport {
  readonly name = 'http';
  private agent: http.Agent | null = null;
  private readonly url: URL;
  private readonly ca: Buffer | undefined;

  /** Throws CaFileError when the CA file cannot be used. */
  constructor(private readonly opts: HttpTransportOptions) {
    this.url = new URL(opts.url);
    this.ca = readCaFile(opts.caFile, 'central.http.caFile');
  }

  start(): void {
    const ca = this.ca;
    this.agent = this.url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(ca ? { ca: withSystemRoots(ca) } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  stop(): void {
    this.agent?.destroy();
    this.agent = null;
  }

  async send(batch: OutboundEvent[], signal: AbortSignal): Promise<SendResult> {
    if (this.opts.mode === 'batch') {
      // Pieces, not one joined string: they are copied once into the request buffer (see post()).
      const body: string[] = ['['];
      for (const e of batch) body.push(e.json, ',');
      body[body.length - 1] = ']';
      const seqs = batch.map((e) => e.seq);
      batch.length = 0; // the body holds the JSON now; nothing else keeps it alive
      return this.verdict(seqs, await this.post(body, BATCH_CONTENT_TYPE, seqs.length, signal));
    }
    const delivered: number[] = [];
    for (const e of batch) {
      const r = this.verdict([e.seq], await this.post([e.json], STRUCTURED_CONTENT_TYPE, 1, signal));
      if (r.delivered.length === 0) return { ...r, delivered };
      delivered.push(e.seq);
    }
    return { delivered };
  }

  private verdict(seqs: number[], a: Answer | { error: string }): SendResult {
    if ('error' in a) return { delivered: [], retry: { error: a.error } };
    if (a.status >= 200 && a.status < 300) return { delivered: seqs };
    // A redirect is not followed (the body would be re-posted to an address nobody configured): its target goes in the reason.
    const where = a.location ? ` (to ${a.location})` : '';
    const reason = `HTTP ${a.status} ${a.statusText}${where}`;
    // The body is the central side's words: apart, since it may quote the event (see SendResult.reply).
    const reply = a.body ? { reply: a.body.replace(/\s+/g, ' ').slice(0, 300) } : {};
    if (isRetryableStatus(a.status)) return { delivered: [], retry: { error: reason, retryAfterMs: parseRetryAfter(a.retryAfter), ...(isLinkProblem(a.status) ? { link: true } : {}) }, ...reply };
    return { delivered: [], refused: reason, ...reply };
  }

  private post(body: string[], contentType: string, count: number, signal: AbortSignal): Promise<Answer | { error: string }> {
    // Copied at once into one off-heap buffer: the event strings die young instead of living on
    // (and being promoted) for the whole round trip, which kept the heap growing while draining.
    let length = 0;
    for (const p of body) length += Buffer.byteLength(p);
    const buf = Buffer.allocUnsafe(length);
    let at = 0;
    for (const p of body) at += buf.write(p, at);
    body.length = 0;
    const ts = String(Math.floor((this.opts.now ?? Date.now)() / 1000));
    const headers: Record<string, string> = {
      'content-type': contentType,
      'content-length': String(buf.length),
      [HEADERS.timestamp]: ts,
      [HEADERS.source]: this.opts.source,
      [HEADERS.count]: String(count),
    };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (this.opts.hmacSecret) headers[HEADERS.signature] = sign(this.opts.hmacSecret, ts, buf);
    const lib = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const done = (v: Answer | { error: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const req = lib.request(this.url, { method: 'POST', headers, agent: this.agent ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        let len = 0;
        res.on('data', (c: Buffer) => {
          // Only the start of an error body is kept for the dead-letter reason.
          if (len < 4096) chunks.push(c);
          len += c.length;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8').slice(0, 1000), retryAfter: res.headers['retry-after'], location: res.headers.location }));
        res.on('error', (err) => done({ error: `response: ${err.message}` }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        done({ error: `no answer within ${this.opts.timeoutMs} ms` });
      }, this.opts.timeoutMs);
      const onAbort = () => {
        req.destroy();
        done({ error: 'stopped' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => done({ error: `${err.code ?? 'error'}: ${err.message}` }));
      req.end(buf);
    });
  }
}
