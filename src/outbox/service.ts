/**
 * The outbox as one component: the relay with its transport, the disk cap (health + alarm),
 * pruning of delivered events, and the numbers GET /api/v1/outbox shows.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Events } from '../events.ts';
import type { Health } from '../health.ts';
import type { OutboxStore, OutboxCounts } from './store.ts';
import { realClock, type Clock } from '../../drivers/support/clock.ts';
import { Relay, type RelayStatus, type Transport } from './relay.ts';
import { HttpTransport } from './transports/http.ts';
import { CaFileError } from '../tls.ts';
import { MqttTransport } from './transports/mqtt.ts';

export interface OutboxStatus extends Omit<OutboxCounts, 'oldestPendingAt'>, RelayStatus {
  oldestPendingAgeMs: number | null;
  /** Stored event JSON, bytes, and the configured cap. */
  bytes: number;
  capBytes: number;
  overCap: boolean;
  /** A write failed for lack of disk space (diskFullCode) since this time. */
  diskFullSince: string | null;
}

/** How often the cap is checked and delivered events are pruned. */
const MAINTENANCE_MS = 60_000;

/** A config problem that keeps the relay from running: the desk still works and events wait in the outbox. */
export class TransportConfigError extends Error {}

function checkUrl(value: string, key: string, protocols: string[]): void {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new TransportConfigError(`${key} is not a valid URL: "${value}"`);
  }
  if (!protocols.includes(u.protocol)) throw new TransportConfigError(`${key} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
}

export function makeTransport(config: Config, source: string, log: Logger): Transport | null {
  const c = config.central;
  if (c.transport === 'http') {
    checkUrl(c.http.url, 'central.http.url', ['http:', 'https:']);
    return new HttpTransport({ url: c.http.url, token: c.http.token, hmacSecret: c.http.hmacSecret, mode: c.http.mode, caFile: c.http.caFile, timeoutMs: c.http.timeoutMs, source });
  }
  if (c.transport === 'mqtt') {
    checkUrl(c.mqtt.url, 'central.mqtt.url', ['mqtt:', 'mqtts:', 'ws:', 'wss:']);
    return new MqttTransport({ ...c.mqtt, site: config.agent.site, agentId: config.agent.id }, log);
  }
  return null;
}

export class OutboxService {
  readonly name = 'outbox';
  readonly relay: Relay;
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | null = null;
  private overCapAlarm = false;
  private fullAlarm = false;
  private unsubscribe: (() => void) | null = null;
  private unsubscribeFull: (() => void) | null = null;
  /** Why the configured transport could not be built (events then wait in the outbox). */
  private configProblem: string | null = null;

  constructor(
    private readonly config: Config,
    readonly store: OutboxStore,
    private readonly events: Events,
    private readonly health: Health,
    private readonly log: Logger,
    opts: { transport?: Transport | null; clock?: Clock; random?: () => number } = {},
  ) {
    this.clock = opts.clock ?? realClock;
    let transport: Transport | null = null;
    try {
      transport = opts.transport !== undefined ? opts.transport : makeTransport(config, events.source, log);
    } catch (err) {
      if (!(err instanceof TransportConfigError || err instanceof CaFileError)) throw err;
      this.configProblem = err.message;
    }
    this.relay = new Relay(store, transport, { ...config.central.relay, clock: this.clock, random: opts.random }, log);
  }

  async start(): Promise<void> {
    this.health.register('outbox', () => this.check());
    if (this.configProblem) this.log.error({ problem: this.configProblem }, 'central transport not started');
    if (this.store.keyProblem) this.log.error({ problem: this.store.keyProblem }, 'personal-data key replaced while sealed events wait');
    // Appends run inside the writer's transaction: look at the cap once it has committed.
    this.unsubscribe = this.store.onAppend(() => {
      if (!this.overCapAlarm && this.store.bytes > this.config.central.outbox.maxBytes) queueMicrotask(() => this.maintain(false));
    });
    // The disk-full alarm goes out as soon as a write fails or succeeds again, not at the next maintenance.
    this.unsubscribeFull = this.store.onFullChange(() => queueMicrotask(() => this.maintain(false)));
    this.maintain(true);
    this.timer = setInterval(() => this.maintain(true), MAINTENANCE_MS);
    this.timer.unref();
    await this.relay.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribeFull?.();
    await this.relay.stop();
  }

  /** Deletes delivered events older than the retention. */
  prune(now = this.clock.now()): number {
    const n = this.store.prune(now - this.config.central.outbox.retentionHours * 3_600_000);
    if (n > 0) this.log.info({ pruned: n }, 'delivered events pruned');
    return n;
  }

  status(): OutboxStatus {
    const { oldestPendingAt, ...counts } = this.store.counts();
    return {
      ...counts,
      oldestPendingAgeMs: oldestPendingAt === null ? null : Math.max(0, this.clock.now() - oldestPendingAt),
      ...this.relay.status(),
      ...(this.configProblem ? { lastError: this.configProblem } : {}),
      bytes: this.store.bytes,
      capBytes: this.config.central.outbox.maxBytes,
      overCap: this.store.bytes > this.config.central.outbox.maxBytes,
      diskFullSince: this.store.fullSince === null ? null : new Date(this.store.fullSince).toISOString(),
    };
  }

  retryDead(id: string): boolean {
    const ok = this.store.retryDead(id);
    if (ok) this.relay.wake();
    return ok;
  }

  private check(): { ok: boolean; message?: string; messageVi?: string; detail?: Record<string, unknown> } {
    const bytes = this.store.bytes;
    const cap = this.config.central.outbox.maxBytes;
    const mb = (n: number) => (n / 1048576).toFixed(1);
    if (this.configProblem) {
      return { ok: false, message: `events are not forwarded: ${this.configProblem}`, messageVi: `Không gửi được sự kiện về hệ thống trung tâm: cấu hình sai (${this.configProblem})`, detail: { bytes, cap } };
    }
    if (this.store.fullSince !== null) {
      const code = this.store.fullError ?? 'SQLITE_FULL';
      return code === 'SQLITE_FULL'
        ? { ok: false, message: 'the disk is full: new events may not be stored', messageVi: 'Ổ đĩa đã đầy: sự kiện mới có thể không lưu được', detail: { bytes, cap, code } }
        : { ok: false, message: `the disk is full or failing (${code}): new events may not be stored`, messageVi: `Ổ đĩa đã đầy hoặc bị lỗi (${code}): sự kiện mới có thể không lưu được`, detail: { bytes, cap, code } };
    }
    const link = this.relay.status().linkProblem;
    if (link) {
      return { ok: false, message: `events are not forwarded: the central system answered "${link}" (check its URL, the token and secret, and this computer's clock); retrying`, messageVi: `Không gửi được sự kiện về hệ thống trung tâm: máy chủ trả lời "${link}" (kiểm tra địa chỉ URL, mã truy cập và đồng hồ của máy); đang thử lại`, detail: { bytes, cap } };
    }
    if (bytes > cap) {
      return { ok: false, message: `outbox holds ${mb(bytes)} MB, above its ${mb(cap)} MB cap: is the central system reachable?`, messageVi: `Hàng đợi gửi đi chiếm ${mb(bytes)} MB, vượt mức ${mb(cap)} MB: kiểm tra kết nối tới hệ thống trung tâm`, detail: { bytes, cap } };
    }
    return { ok: true, detail: { bytes, cap } };
  }

  /** Raises or clears the alarms (as hcc.device.status of the pseudo-device `outbox`), and prunes. */
  private maintain(prune: boolean): void {
    try {
      if (prune) this.prune();
    } catch (err) {
      this.log.error({ err }, 'outbox pruning failed');
    }
    const over = this.store.bytes > this.config.central.outbox.maxBytes;
    if (over !== this.overCapAlarm) {
      this.overCapAlarm = over;
      this.alarm(over ? 'error' : 'connected', over ? 'outbox-over-cap' : 'ok', this.check(), true);
    }
    const full = this.store.fullSince !== null;
    if (full !== this.fullAlarm) {
      this.fullAlarm = full;
      // A full disk cannot store the alarm: it goes to live listeners only.
      this.alarm(full ? 'error' : 'connected', full ? 'disk-full' : 'ok', this.check(), !full);
    }
  }

  private alarm(state: 'error' | 'connected', code: string, c: { message?: string; messageVi?: string }, store: boolean): void {
    const data = {
      device: 'outbox', type: 'outbox', driver: this.relay.status().transport, state, code,
      reason: c.message ?? 'outbox back to normal', reasonVi: c.messageVi ?? 'Hàng đợi gửi đi đã bình thường', since: new Date(this.clock.now()).toISOString(),
    };
    this.log[state === 'error' ? 'warn' : 'info']({ code, bytes: this.store.bytes }, 'outbox alarm');
    try {
      if (store) this.events.record('hcc.device.status', 'outbox', data);
      else this.events.publish('hcc.device.status', 'outbox', data);
    } catch (err) {
      this.log.error({ err }, 'could not record the outbox alarm');
      this.events.publish('hcc.device.status', 'outbox', data);
    }
  }
}
