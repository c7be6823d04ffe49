/**
 * Client role: a WebSocket subscription to the queue host's event stream (GET /api/v1/events), so
 * a board attached to this agent shows a call as the host makes it rather than at the next poll.
 * Reconnects with capped, jittered backoff; a host that refuses the token is reported once and
 * asked again only rarely. The periodic poll in QueueClient stays the fallback.
 */
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { BoardState } from './schemas.ts';
import { isEvent } from '../event-map.ts';

export interface HostEventsDeps {
  /** Base URL of the host, http(s)://…, no trailing slash. */
  base: string;
  token: string;
  /** Handshake timeout and time allowed for a pong (ms). */
  timeoutMs: number;
  /** Upper bound of the reconnect delay (ms). */
  maxDelayMs: number;
  log: Logger;
  /** Extra trusted CAs for a wss:// host, read when the link starts (undefined: system CAs). */
  ca: () => string[] | undefined;
  onBoard: (state: BoardState) => void;
  /** The socket opened: the host answers. */
  onOpen: () => void;
  /** The host could not be reached (network error, handshake timeout, 502/503/504). */
  onUnreachable: (reason: string) => void;
}

const MIN_DELAY_MS = 500;
/** After a refusal (bad token, Host not allowed, no WebSocket at that URL) ask again this rarely. */
const REFUSED_RETRY_MS = 60_000;
/** A socket that stayed open this long was healthy: the next reconnect starts from the shortest delay. */
const HEALTHY_MS = 5_000;
/** Pings find a dead peer that never closed the TCP connection (cable pulled, host frozen). */
const PING_MS = 10_000;

export class HostEvents {
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private running = false;
  private delay = MIN_DELAY_MS;
  /** Last refusal reported, so a repeated one is not logged again. */
  private refusal: string | null = null;

  constructor(private readonly d: HostEventsDeps) {}

  /** ws:// for an http host, wss:// for https; a path prefix in the host URL (a reverse proxy) is kept. Only board events are asked for. */
  get url(): string {
    const u = new URL(`${this.d.base}/api/v1/events?types=hcc.queue.board`);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.toString();
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.running) return;
    try {
      void this.url;
    } catch {
      this.d.log.error({ host: this.d.base }, 'queue.hostUrl is not a valid URL; the board follows the host by polling only');
      return;
    }
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopPings();
    // terminate, not close: close() waits up to 30 s for the host's closing frame.
    this.ws?.terminate();
    this.ws = null;
  }

  private connect(): void {
    this.timer = null;
    if (!this.running) return;
    let refused: { status: number; message: string } | null = null;
    let failure: string | null = null;
    let openedAt = 0;
    let alive = true;
    let ws: WebSocket;
    try {
      const ca = this.d.ca();
      ws = new WebSocket(this.url, { headers: { authorization: `Bearer ${this.d.token}` }, handshakeTimeout: this.d.timeoutMs, perMessageDeflate: false, ...(ca ? { ca } : {}) });
    } catch (err) {
      // Runs from a timer: a throw here would end the agent.
      this.d.log.error({ err, host: this.d.base }, 'cannot open the live board link; the board follows the host by polling only');
      this.running = false;
      return;
    }
    this.ws = ws;

    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      if (status === 502 || status === 503 || status === 504) {
        failure = `HTTP ${status}`;
        res.resume();
        ws.terminate();
        return;
      }
      // The host's refusal says why (unknown token, Host not allowed…): keep a little of it for the log.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 2048) body += c;
      });
      res.on('end', () => {
        let message = res.statusMessage ?? '';
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          // not the agent's JSON error: the status line will do
        }
        refused = { status, message };
        ws.terminate();
      });
      res.on('error', () => ws.terminate());
    });
    ws.on('open', () => {
      openedAt = Date.now();
      if (this.refusal) this.d.log.info({ host: this.d.base }, 'queue host accepts the live board link again');
      this.refusal = null;
      this.d.log.debug({ url: this.url }, 'live board link to the queue host open');
      this.d.onOpen();
      this.stopPings();
      this.pinger = setInterval(() => {
        if (!alive) {
          failure = 'no answer to ping';
          return void ws.terminate();
        }
        alive = false;
        ws.ping();
      }, PING_MS).unref();
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data) => {
      alive = true;
      let ev: { type?: unknown; data?: unknown };
      try {
        ev = JSON.parse(String(data)) as typeof ev;
      } catch {
        return;
      }
      if (!isEvent(ev, 'hcc.queue.board') || typeof ev.data !== 'object' || ev.data === null) return;
      try {
        this.d.onBoard(ev.data);
      } catch (err) {
        this.d.log.error({ err }, 'relaying the host board failed');
      }
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // Errors are followed by 'close'; a refusal or our own terminate() is already accounted for.
      if (refused || failure || !this.running) return;
      failure = err.code ?? err.message;
    });
    ws.on('close', () => {
      if (this.ws === ws) this.ws = null;
      this.stopPings();
      if (!this.running) return;
      if (refused) return this.refuse(refused);
      if (openedAt === 0 && failure) this.d.onUnreachable(failure);
      else this.d.log.debug({ reason: failure }, 'live board link to the queue host closed; reconnecting');
      if (openedAt !== 0 && Date.now() - openedAt >= HEALTHY_MS) this.delay = MIN_DELAY_MS;
      this.schedule(this.delay);
      this.delay = Math.min(this.delay * 2, Math.max(MIN_DELAY_MS, this.d.maxDelayMs));
    });
  }

  /** Logged once per distinct refusal; asking again every few seconds would only fill the host's log. */
  private refuse(r: { status: number; message: string }): void {
    const key = `${r.status} ${r.message}`;
    if (this.refusal !== key) {
      this.d.log.error(
        { host: this.d.base, status: r.status, reason: r.message, retryInMs: REFUSED_RETRY_MS },
        'queue host refused the live board link (check queue.token on this agent and security.tokens / allowedHosts on the host); the board follows the host by polling only',
      );
    }
    this.refusal = key;
    this.delay = MIN_DELAY_MS;
    this.schedule(REFUSED_RETRY_MS);
  }

  /** Equal jitter: between half and all of `ms`, so kiosks that lost the host together do not return in step. */
  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), ms / 2 + (Math.random() * ms) / 2).unref();
  }

  private stopPings(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
  }
}
