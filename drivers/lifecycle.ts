/**
 * Lifecycle shared by drivers: open with retry and capped backoff, status tracking, and
 * reconnect when the device disappears. A device that fails never takes the daemon down.
 */
import { EventEmitter } from 'node:events';
import { messageViOf, type DeviceState, type DeviceStatus, type DeviceType } from './contracts.ts';
import { realClock, type Clock } from './support/clock.ts';

export interface RetryPolicy {
  /** First retry delay. */
  initialMs: number;
  /** Cap: a device that comes back is reconnected within this long (plus its open time). */
  maxMs: number;
}

/** Capped so that a replugged device is back within 2 s. */
export const DEFAULT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 1000 };

export interface StatusText {
  en: string;
  vi: string;
  code?: string;
}

export abstract class ManagedDevice extends EventEmitter {
  abstract readonly type: DeviceType;
  private current: DeviceStatus;
  private retryTimer: unknown = null;
  private attempt = 0;
  private running = false;
  private opening: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly driver: string,
    protected readonly retry: RetryPolicy = DEFAULT_RETRY,
    /** Times the reconnect backoff and stamps status changes; a test passes a fake one. */
    protected readonly clock: Clock = realClock,
  ) {
    super();
    this.current = { state: 'disconnected', reason: 'not started', reasonVi: 'chưa khởi động', since: this.isoNow() };
  }

  /** Opens the device; on failure the device is `disconnected` (or `error`) and retried. */
  protected abstract open(): Promise<void>;
  /** Releases the device; must tolerate being called when already closed. */
  protected abstract close(): Promise<void>;

  /** Errors that retrying cannot fix (e.g. a missing library) put the device in `error` and stop retrying. */
  protected isPermanent(_err: unknown): StatusText | null {
    return null;
  }

  status(): DeviceStatus {
    return { ...this.current };
  }

  get isConnected(): boolean {
    return this.current.state === 'connected';
  }

  async start(): Promise<void> {
    this.running = true;
    this.attempt = 0;
    await this.tryOpen();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.opening) await this.opening.catch(() => undefined);
    try {
      await this.close();
    } catch {
      // closing a vanished device may fail; it is gone either way
    }
    this.setStatus('disconnected', { en: 'stopped', vi: 'đã dừng' });
  }

  /** Drivers call this when the device disappears or breaks; it is reopened with backoff. */
  protected lost(text: StatusText): void {
    if (!this.running) return;
    this.setStatus('disconnected', text);
    void this.close().catch(() => undefined);
    this.scheduleRetry();
  }

  protected setStatus(state: DeviceState, text: StatusText): void {
    const prev = this.current;
    if (prev.state === state && prev.reason === text.en && prev.code === text.code) return;
    this.current = { state, reason: text.en, reasonVi: text.vi, code: text.code, since: this.isoNow() };
    this.emit('status', this.status());
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private async tryOpen(): Promise<void> {
    if (!this.running) return;
    this.opening = this.open();
    try {
      await this.opening;
      this.attempt = 0;
      if (this.current.state !== 'connected') this.setStatus('connected', { en: 'ready', vi: 'sẵn sàng' });
    } catch (err) {
      const permanent = this.isPermanent(err);
      if (permanent) {
        this.setStatus('error', permanent);
        return;
      }
      const msg = err instanceof Error ? err.message : String(err);
      // A driver error may say it in Vietnamese too; otherwise the English detail is kept.
      this.setStatus('disconnected', { en: `cannot open: ${msg}; retrying`, vi: `không mở được thiết bị: ${messageViOf(err) ?? msg}; đang thử lại`, code: 'unavailable' });
      this.scheduleRetry();
    } finally {
      this.opening = null;
    }
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer) return;
    const delay = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** this.attempt);
    this.attempt++;
    // Unref'd: a forgotten device must not keep a CLI command's process alive.
    this.retryTimer = this.clock.setTimeout(
      () => {
        this.retryTimer = null;
        void this.tryOpen();
      },
      delay,
      { unref: true },
    );
  }
}
