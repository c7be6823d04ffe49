/**
 * Client role (kiosks, counter PCs): every queue request goes to the host over HTTP with the
 * token. When the host cannot be reached, the client says so plainly (health, /queue/link, the
 * ticket answer) and, if configured, issues numbers from blocks it reserved from the host in
 * advance; the host never issues those numbers itself, so nothing is duplicated, and the tickets
 * reach the host as soon as it answers again. The host's board comes over a WebSocket to its event
 * stream as it changes (host-events.ts); the periodic poll also carries it when that link is down.
 */
import type { Logger } from 'pino';
import { Agent, fetch, type Response } from 'undici';
import { DomainError, conflict, invalid, unavailable, type ErrorKind } from '../errors.ts';
import { errorFromReply } from '../http/errors.ts';
import type { Check } from '../health.ts';
import { isOpenAt, localTime, systemClock, type Clock } from './clock.ts';
import { printTicket, type TicketPrintDeps } from './ticket-print.ts';
import { HostEvents } from './host-events.ts';
import { publicConfig, type QueueBackend } from './backend.ts';
import { logConfigProblems } from './config.ts';
import type {
  Block,
  BoardState,
  CounterAction,
  CounterResult,
  ImportBody,
  IssueBody,
  IssueResult,
  LinkState,
  Notice,
  PendingRating,
  PublicConfig,
  RatingBody,
  RatingResult,
  Report,
  TransferBody,
} from './schemas.ts';
import { CaFileError, isCertificateError, readCaFile, withSystemRoots } from '../tls.ts';

export interface ClientDeps extends TicketPrintDeps {
  agentId: string;
  timezone: string;
  log: Logger;
  /** Relays the host's board state to this agent's live listeners when it changed. */
  publishBoard: (state: BoardState) => void;
  clock?: Clock;
}

/** The host did not answer (network error, timeout, or a 502/503/504 on its way). */
export class HostUnreachable extends Error {}

interface BlockRow {
  host_block_id: number;
  day: string;
  service_id: string;
  prefix: string;
  width: number;
  first: number;
  last: number;
  next: number;
}

interface OfflineRow {
  id: number;
  block_id: number;
  day: string;
  number: string;
  service_id: string;
  priority: string | null;
  issued_at: number;
}

/** Blocks of numbers are reserved from, and handed back to, the host only. */
const notHost = () => conflict('not-queue-host', 'This agent is not the queue host', 'Máy này không phải máy chủ xếp hàng');

/** Longest wait between attempts to reopen the live link to a host that went away. */
const MAX_RECONNECT_MS = 5000;

const UNREACHABLE: Notice = {
  code: 'queue-host-unreachable',
  message: 'The queue server cannot be reached',
  messageVi: 'Không kết nối được máy chủ xếp hàng',
};

/** Refusals of what was sent, as opposed to who sent it (a token to fix) or when (rate limits: later). */
const REFUSALS: ReadonlySet<ErrorKind> = new Set(['invalid', 'not-found', 'conflict', 'gone']);

/** The host refused what was sent: sending the same tickets again cannot succeed, so they are tried one by one. */
function refusesTickets(err: unknown): err is DomainError {
  return err instanceof DomainError && REFUSALS.has(err.kind);
}

export class QueueClient implements QueueBackend {
  readonly name = 'queue';
  readonly role = 'client';
  clock: Clock;
  reachable = false;
  lastContactAt: Date | null = null;
  lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private refreshing: Promise<void> | null = null;
  private syncing: Promise<void> | null = null;
  /** Trusted CAs for an https host: system roots plus client.caFile (null: system roots only). */
  private ca: string[] | null = null;
  /** Keep-alive connections to the host, trusting `ca` (undici: global fetch takes no CA). */
  private dispatcher: Agent | null = null;
  /** Waiting counts from the host's last board state, for offline tickets' people-ahead. */
  private lastWaiting = new Map<string, number>();
  private lastBoard = '';
  /** generatedAt of the last board the host pushed since the live link (re)opened. */
  private lastPushAt = '';
  private readonly base: string;
  private readonly events: HostEvents;

  constructor(private readonly d: ClientDeps) {
    this.clock = d.clock ?? systemClock;
    this.base = d.config.hostUrl.replace(/\/+$/, '');
    const { timeoutMs, checkIntervalMs } = d.config.client;
    this.events = new HostEvents({
      base: this.base,
      token: d.config.token,
      timeoutMs,
      // Reconnect at least as often as the host is polled, and within 5 s however long the poll interval.
      maxDelayMs: Math.min(checkIntervalMs, MAX_RECONNECT_MS),
      log: d.log,
      ca: () => this.ca ?? undefined,
      onBoard: (state) => this.relayBoard(state, 'push'),
      onOpen: () => this.linkOpened(),
      onUnreachable: (reason) => void this.down(reason),
    });
  }

  /** True while the host's board arrives by push (the live link is open). */
  get pushing(): boolean {
    return this.events.connected;
  }

  start(): void {
    logConfigProblems(this.d.config, this.d.log);
    if (!this.base) this.d.log.error('queue.role is client but queue.hostUrl is empty');
    this.ca = this.readCa();
    this.dispatcher = new Agent({ connect: { timeout: this.d.config.client.timeoutMs, ...(this.ca ? { ca: this.ca } : {}) } });
    const loop = () => {
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        if (this.timer) this.timer = setTimeout(loop, this.d.config.client.checkIntervalMs).unref();
      });
    };
    this.timer = setTimeout(loop, 0).unref();
    if (this.base) this.events.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.events.stop();
    await Promise.all([this.ticking, this.refreshing, this.syncing]);
    // destroy, not close: close() would wait on a host that took a request and went silent.
    await this.dispatcher?.destroy().catch(() => undefined);
    this.dispatcher = null;
  }

  /** The host's CA besides the system roots; an unusable file is logged and the system roots used. */
  private readCa(): string[] | null {
    try {
      const pem = readCaFile(this.d.config.client.caFile, 'queue.client.caFile');
      return pem ? withSystemRoots(pem) : null;
    } catch (err) {
      if (!(err instanceof CaFileError)) throw err;
      this.d.log.error({ reason: err.message }, 'the queue host is checked against the system CAs only');
      return null;
    }
  }

  /** One round: check the link, send offline tickets, keep a block per service in reserve. */
  async tick(): Promise<void> {
    try {
      this.relayBoard(await this.request<BoardState>('GET', '/api/v1/queue/state'), 'poll');
      await this.syncOnce();
      if (this.d.config.client.offlineIssue) await this.refill();
    } catch (err) {
      if (!(err instanceof HostUnreachable)) this.d.log.warn({ err }, 'queue host refused a background request');
    }
  }

  /**
   * The live link (re)opened: re-read the board once, for changes made while it was down, and
   * hand over tickets issued offline now rather than at the next check, so the citizens holding
   * them appear in the host's line (and on its boards) as soon as the host is back.
   */
  private linkOpened(): void {
    this.contact();
    this.lastPushAt = '';
    if (this.refreshing || !this.timer) return;
    this.refreshing = this.request<BoardState>('GET', '/api/v1/queue/state')
      .then((state) => {
        this.relayBoard(state, 'poll');
        return this.syncOnce();
      })
      .catch((err: unknown) => {
        if (!(err instanceof HostUnreachable)) this.d.log.warn({ err }, 'queue host refused a background request');
      })
      .finally(() => (this.refreshing = null));
  }

  /**
   * Relays the host's board to this agent's listeners once per change, whether polled or pushed.
   * Pushes come in order on one socket; a poll answered just before a call can land after that
   * call's push, so a polled board older than the last pushed one is dropped (never a step back).
   */
  private relayBoard(state: BoardState, via: 'poll' | 'push'): void {
    if (via === 'push') {
      this.lastPushAt = state.generatedAt;
      this.contact();
    } else if (this.events.connected && state.generatedAt < this.lastPushAt) {
      return;
    }
    this.lastWaiting = new Map(state.services.map((s) => [s.id, s.waiting]));
    const seen = JSON.stringify({ ...state, generatedAt: '' });
    if (seen === this.lastBoard) return;
    this.lastBoard = seen;
    this.d.publishBoard(state);
  }

  // ------------------------------------------------------------------ HTTP to the host

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    return (await res.json()) as T;
  }

  async requestBinary(path: string): Promise<{ type: string; body: Buffer }> {
    const res = await this.send('GET', path);
    return { type: res.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await res.arrayBuffer()) };
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.d.config.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.d.config.client.timeoutMs),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw this.down(e.cause?.code ?? e.name ?? e.message);
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      await res.body?.cancel();
      throw this.down(`HTTP ${res.status}`);
    }
    this.contact();
    if (!res.ok) {
      const e = (await res.json().catch(() => ({}))) as { error?: string; message?: string; messageVi?: string };
      // Relayed to our caller with the host's status; a host always says it in Vietnamese too, a proxy may not.
      throw errorFromReply(res.status, e.error ?? 'queue-host-error', `queue host: ${e.message ?? res.statusText}`, e.messageVi ?? 'Máy chủ xếp hàng báo lỗi');
    }
    return res;
  }

  /** The host answered (an HTTP reply, the live link opening, or a pushed board). */
  private contact(): void {
    this.reachable = true;
    this.lastContactAt = this.clock();
    this.lastError = null;
  }

  private down(cause: string): HostUnreachable {
    // A TLS verification failure is the installer's to fix, not a network fault: say which key.
    const reason = isCertificateError(cause) ? `the host's certificate is not trusted (${cause}); put its CA certificate in queue.client.caFile` : cause;
    if (this.reachable || this.lastError === null) this.d.log.warn({ host: this.base, reason }, 'queue host unreachable');
    this.reachable = false;
    this.lastError = reason;
    return new HostUnreachable(reason);
  }

  /** For forwarded actions that have no offline fallback. */
  unreachableError(): DomainError {
    return unavailable(UNREACHABLE.code, `${UNREACHABLE.message} (${this.lastError ?? 'no answer'})`, UNREACHABLE.messageVi);
  }

  async forward<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    try {
      return await this.request<T>(method, path, body);
    } catch (err) {
      if (err instanceof HostUnreachable) throw this.unreachableError();
      throw err;
    }
  }

  // ------------------------------------------------------------------ forwarded to the host (QueueBackend)

  check(): Check {
    const l = this.link();
    return l.notice === null ? { ok: true, detail: { role: 'client', host: l.hostUrl } } : { ok: false, message: l.notice.message, messageVi: l.notice.messageVi, detail: { ...l } };
  }

  publicConfig(): PublicConfig {
    return publicConfig(this.d.config, this.d.timezone, this.clock());
  }

  counterAction(id: string, action: CounterAction, body?: TransferBody): Promise<CounterResult> {
    return this.forward('POST', `/api/v1/queue/counters/${encodeURIComponent(id)}/${action}`, action === 'transfer' ? body : undefined);
  }

  state(): Promise<BoardState> {
    return this.forward('GET', '/api/v1/queue/state');
  }

  async voiceWav(callId: number): Promise<Buffer> {
    try {
      return (await this.requestBinary(`/api/v1/queue/voice/${callId}.wav`)).body;
    } catch (err) {
      if (err instanceof HostUnreachable) throw this.unreachableError();
      throw err;
    }
  }

  pendingRating(counterId: string): Promise<PendingRating> {
    return this.forward('GET', `/api/v1/queue/rating/pending?counter=${encodeURIComponent(counterId)}`);
  }

  rate(body: RatingBody): Promise<RatingResult> {
    return this.forward('POST', '/api/v1/queue/ratings', body);
  }

  report(date?: string): Promise<Report> {
    return this.forward('GET', `/api/v1/queue/report${date ? `?date=${date}` : ''}`);
  }

  reserveBlock(): Block {
    throw notHost();
  }

  importTickets(): { accepted: number; already: number } {
    throw notHost();
  }

  // ------------------------------------------------------------------ issuing

  async issue(body: IssueBody): Promise<IssueResult> {
    const print = body.print ?? this.d.config.printing.enabled;
    let result: IssueResult;
    try {
      result = await this.request<IssueResult>('POST', '/api/v1/queue/tickets', { serviceId: body.serviceId, priority: body.priority, print: false });
    } catch (err) {
      if (!(err instanceof HostUnreachable)) throw err;
      if (!this.d.config.client.offlineIssue) throw this.unreachableError();
      return this.issueOffline(body, print);
    }
    // The paper ticket comes out of this kiosk's printer.
    return print ? { ...result, ...printTicket(this.d, result) } : result;
  }

  private issueOffline(body: IssueBody, print: boolean): IssueResult {
    const service = this.d.config.services.find((s) => s.id === body.serviceId);
    if (!service) throw new DomainError('not-found', 'unknown-service', `service ${body.serviceId} is not offered here`, `Không có dịch vụ ${body.serviceId}`);
    if (body.priority && !this.d.config.priority.categories.some((c) => c.id === body.priority)) {
      throw invalid('unknown-priority', `priority category ${body.priority} is not configured`, `Không có đối tượng ưu tiên ${body.priority}`);
    }
    const now = this.clock();
    if (!isOpenAt(this.d.config.openingHours, now, this.d.timezone)) {
      throw conflict('closed', 'Tickets are issued during opening hours only', 'Ngoài giờ làm việc, không cấp số thứ tự');
    }
    const day = localTime(now, this.d.timezone).day;
    const db = this.d.db;
    return db.transaction((): IssueResult => {
      const block = db.prepare('SELECT * FROM queue_client_blocks WHERE day = ? AND service_id = ? AND next <= last ORDER BY host_block_id LIMIT 1').get(day, service.id) as BlockRow | undefined;
      if (!block) {
        throw unavailable(
          'queue-host-unreachable',
          'The queue server cannot be reached and no reserved numbers are left; please ask staff',
          'Không kết nối được máy chủ xếp hàng và đã hết số dự phòng; xin liên hệ nhân viên',
        );
      }
      db.prepare('UPDATE queue_client_blocks SET next = next + 1 WHERE host_block_id = ?').run(block.host_block_id);
      const number = block.prefix + String(block.next).padStart(block.width, '0');
      const unsynced = (db.prepare('SELECT COUNT(*) AS n FROM queue_offline_tickets WHERE day = ? AND service_id = ? AND synced = 0').get(day, service.id) as { n: number }).n;
      db.prepare('INSERT INTO queue_offline_tickets (block_id, day, number, service_id, priority, issued_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        block.host_block_id,
        day,
        number,
        service.id,
        body.priority ?? null,
        now.getTime(),
      );
      const result: IssueResult = {
        number,
        serviceId: service.id,
        priority: body.priority ?? null,
        day,
        issuedAt: now.toISOString(),
        waitingAhead: (this.lastWaiting.get(service.id) ?? 0) + unsynced,
        offline: true,
        notice: {
          code: 'issued-offline',
          message: 'The queue server cannot be reached; your number is valid and will be called as usual',
          messageVi: 'Mất kết nối máy chủ xếp hàng; số thứ tự của quý khách vẫn hợp lệ và sẽ được gọi bình thường',
        },
      };
      return print ? { ...result, ...printTicket(this.d, result) } : result;
    })();
  }

  /** One sync at a time: the check loop and a reopened link may ask together. */
  private syncOnce(): Promise<void> {
    return (this.syncing ??= this.sync().finally(() => (this.syncing = null)));
  }

  /**
   * Sends tickets issued offline to the host, oldest first (synced: 0 pending, 1 received,
   * 2 refused). A ticket the host refuses (its block unknown there, e.g. a replaced host database,
   * or a priority category the host does not offer) is set aside with an error in the log instead
   * of holding back the others; staff see the count (link notice).
   */
  async sync(): Promise<void> {
    const mark = this.d.db.prepare('UPDATE queue_offline_tickets SET synced = ? WHERE id = ?');
    for (;;) {
      const rows = this.d.db.prepare('SELECT * FROM queue_offline_tickets WHERE synced = 0 ORDER BY id LIMIT 200').all() as OfflineRow[];
      if (rows.length === 0) return;
      try {
        await this.request('POST', '/api/v1/queue/blocks/tickets', this.importBody(rows));
        this.d.db.transaction(() => rows.forEach((r) => mark.run(1, r.id)))();
      } catch (err) {
        if (!refusesTickets(err)) throw err;
        for (const r of rows) {
          try {
            await this.request('POST', '/api/v1/queue/blocks/tickets', this.importBody([r]));
            mark.run(1, r.id);
          } catch (e) {
            if (!refusesTickets(e)) throw e;
            this.d.log.error({ number: r.number, day: r.day, reason: e.message }, 'queue host refused a ticket issued offline; it is not in the host line');
            mark.run(2, r.id);
            // The host does not know the block (its database was replaced): the rest of it is void too,
            // and the next refill reserves a block the host does know.
            if (e.code === 'not-in-block') this.dropBlock(r.block_id);
          }
        }
      }
    }
  }

  private importBody(rows: OfflineRow[]): ImportBody {
    return {
      agent: this.d.agentId,
      tickets: rows.map((r) => ({
        blockId: r.block_id,
        number: r.number,
        serviceId: r.service_id,
        ...(r.priority ? { priority: r.priority } : {}),
        issuedAt: new Date(r.issued_at).toISOString(),
      })),
    };
  }

  /** Keeps at least half a block of today's numbers in reserve for every service. */
  async refill(): Promise<void> {
    const day = localTime(this.clock(), this.d.timezone).day;
    const size = this.d.config.client.blockSize;
    for (const s of this.d.config.services) {
      if (this.remaining(day, s.id) >= Math.ceil(size / 2)) continue;
      let block: Block;
      try {
        block = await this.request<Block>('POST', '/api/v1/queue/blocks', { serviceId: s.id, size, agent: this.d.agentId });
      } catch (err) {
        if (err instanceof DomainError && err.kind === 'conflict') continue; // daily limit reached
        throw err;
      }
      this.keepBlock(block);
    }
  }

  /**
   * Stores a block the host reserved. A block id already known here means the host's database was
   * replaced and numbers its blocks afresh: the old block's unused numbers are void, and its
   * tickets not yet received can no longer be matched by the host, so they are set aside for staff.
   */
  private keepBlock(block: Block): void {
    const db = this.d.db;
    db.transaction(() => {
      const stale = db.prepare('SELECT day, service_id, first, last FROM queue_client_blocks WHERE host_block_id = ?').get(block.id) as { day: string; service_id: string; first: number; last: number } | undefined;
      if (stale) {
        const orphaned = db.prepare('UPDATE queue_offline_tickets SET synced = 2 WHERE block_id = ? AND synced = 0').run(block.id).changes;
        this.dropBlock(block.id);
        this.d.log.warn({ blockId: block.id, stale, orphaned }, 'the queue host reissued a block id: its database was replaced; the old block is void');
      }
      db.prepare('INSERT INTO queue_client_blocks (host_block_id, day, service_id, prefix, width, first, last, next) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        block.id, block.day, block.serviceId, block.prefix, block.width, block.first, block.last, block.first,
      );
    })();
  }

  /** Forgets a block the host no longer stands behind: its unused numbers are not issued. */
  private dropBlock(hostBlockId: number): void {
    this.d.db.prepare('DELETE FROM queue_client_blocks WHERE host_block_id = ?').run(hostBlockId);
  }

  private remaining(day: string, serviceId: string): number {
    return (
      this.d.db.prepare('SELECT COALESCE(SUM(last - next + 1), 0) AS n FROM queue_client_blocks WHERE day = ? AND service_id = ?').get(day, serviceId) as { n: number }
    ).n;
  }

  link(): LinkState {
    const day = localTime(this.clock(), this.d.timezone).day;
    const pendingSync = (this.d.db.prepare('SELECT COUNT(*) AS n FROM queue_offline_tickets WHERE synced = 0').get() as { n: number }).n;
    const refused = (this.d.db.prepare('SELECT COUNT(*) AS n FROM queue_offline_tickets WHERE day = ? AND synced = 2').get(day) as { n: number }).n;
    const blocks = this.d.config.services.map((s) => ({ serviceId: s.id, remaining: this.remaining(day, s.id) }));
    let notice: Notice | null = null;
    if (!this.reachable) {
      const offline = this.d.config.client.offlineIssue && blocks.some((b) => b.remaining > 0);
      notice = offline
        ? { code: 'issuing-offline', message: `${UNREACHABLE.message}; tickets are issued from reserved numbers`, messageVi: `${UNREACHABLE.messageVi}; đang cấp số từ dải số dự phòng` }
        : { ...UNREACHABLE, message: `${UNREACHABLE.message}; tickets cannot be issued`, messageVi: `${UNREACHABLE.messageVi}; tạm thời không cấp được số` };
    } else if (refused > 0) {
      notice = {
        code: 'offline-tickets-refused',
        message: `${refused} tickets issued here while the host was unreachable were refused by the host; staff must call them by hand`,
        messageVi: `${refused} số cấp tại đây khi mất kết nối bị máy chủ từ chối; nhân viên cần gọi các số này thủ công`,
      };
    }
    return {
      role: 'client',
      hostUrl: this.base,
      reachable: this.reachable,
      lastContactAt: this.lastContactAt?.toISOString() ?? null,
      lastError: this.reachable ? null : this.lastError,
      pendingSync,
      refusedSync: refused,
      blocks,
      notice,
    };
  }
}
