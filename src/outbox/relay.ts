/**
 * The relay: one worker that drains the outbox to the central system through a transport.
 * Batches in sequence order, so order per subject holds across retries; a whole batch that fails
 * for a retryable reason is re-sent after a capped exponential backoff with full jitter (or the
 * Retry-After the server asked for). Sleeps on an empty outbox until an append wakes it.
 */
import type { Logger } from 'pino';
import { REPLY_WITHHELD, type OutboxStore, type OutboundEvent } from './store.ts';
import { realClock, type Clock } from '../../drivers/support/clock.ts';

/** What a transport reports for one batch. Events in none of the lists stay pending. */
export interface SendResult {
  /** Seqs the central side acknowledged. */
  delivered: number[];
  /** Seqs the central side refused for good (dead letters), with the reason. */
  dead?: { seq: number; error: string }[];
  /** The whole request was refused for good (e.g. HTTP 400): one bad event spoils a batch, so the relay isolates it. */
  refused?: string;
  /**
   * Try again later (connection error, timeout, 5xx…). `link`: the answer was about the link, the
   * credentials or the address (HTTP 401, 403, 404, 3xx…), so a person must look: health says so.
   */
  retry?: { error: string; retryAfterMs?: number; link?: boolean };
  /**
   * The central side's own words in its answer (an HTTP body), apart from the reasons above: it may
   * quote the events, a citizen's name or phone, so it is shown only for batches without personal
   * events; for those it is withheld, and a dead letter keeps it sealed.
   */
  reply?: string;
}

export interface Transport {
  readonly name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** Sends the batch; must settle soon after `signal` aborts (the relay is stopping). */
  send(batch: OutboundEvent[], signal: AbortSignal): Promise<SendResult>;
}

export interface RelayOptions {
  maxEvents: number;
  maxBytes: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  clock?: Clock;
  /** [0, 1) — injectable for deterministic tests. */
  random?: () => number;
}

/** A Retry-After longer than this is treated as this: an hour is long enough to wait on one answer. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export type RelayState = 'disabled' | 'idle' | 'sending' | 'backoff' | 'stopped';

export interface RelayStatus {
  transport: string;
  state: RelayState;
  /** Current wait before the next attempt (0 unless in backoff). */
  backoffMs: number;
  nextAttemptAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastDeliveredAt: string | null;
  /** Events delivered since start. */
  deliveredSinceStart: number;
  /** The central side refuses the link, credentials or address (not the events): what it answered, until a delivery succeeds. */
  linkProblem: string | null;
}

/**
 * The reason without the response body the central side sent: the body may quote event data
 * (personal), so logs get only the status line; the dead letter keeps the whole reason.
 */
function headline(reason: string): string {
  return reason.split(': ')[0].slice(0, 120);
}

/** Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^n)). */
export function fullJitter(failures: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.floor(random() * ceiling);
}

export class Relay {
  readonly name = 'outbox-relay';
  private readonly clock: Clock;
  private readonly random: () => number;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private signalled = false;
  private wakeUp: (() => void) | null = null;
  private sleepTimer: { handle: unknown; resolve: () => void } | null = null;
  private inflight: AbortController | null = null;
  /** After a refused multi-event batch: send one at a time up to this seq to find the bad event(s). */
  private isolateUntil = 0;
  private unsubscribe: (() => void) | null = null;
  private st: Omit<RelayStatus, 'transport' | 'nextAttemptAt'> & { nextAttemptAt: number | null } = {
    state: 'idle', backoffMs: 0, nextAttemptAt: null, consecutiveFailures: 0, lastError: null, lastErrorAt: null, lastDeliveredAt: null, deliveredSinceStart: 0, linkProblem: null,
  };

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: Transport | null,
    private readonly opts: RelayOptions,
    private readonly log: Logger,
  ) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    if (!transport) this.st.state = 'disabled';
  }

  async start(): Promise<void> {
    if (!this.transport) return;
    this.stopping = false;
    await this.transport.start?.();
    this.unsubscribe = this.store.onAppend(() => this.wake());
    this.loop = this.run().catch((err: unknown) => this.log.error({ err }, 'outbox relay loop ended'));
  }

  /** Stops between or in the middle of a batch: an interrupted batch stays pending and is re-sent later. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.inflight?.abort();
    this.cancelSleep();
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
    await this.transport?.stop?.();
    if (this.transport) this.st.state = 'stopped';
  }

  /** New work (append, dead event put back): the idle loop looks again. Does not cut a backoff short. */
  wake(): void {
    this.signalled = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  status(): RelayStatus {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      transport: this.transport?.name ?? 'none',
      ...this.st,
      nextAttemptAt: iso(this.st.nextAttemptAt),
    };
  }

  private waitForWork(): Promise<void> {
    if (this.signalled || this.stopping) return Promise.resolve();
    return new Promise((resolve) => (this.wakeUp = resolve));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        this.sleepTimer = null;
        resolve();
      }, ms);
      this.sleepTimer = { handle, resolve };
    });
  }

  private cancelSleep(): void {
    if (!this.sleepTimer) return;
    this.clock.clearTimeout(this.sleepTimer.handle);
    const r = this.sleepTimer.resolve;
    this.sleepTimer = null;
    r();
  }

  private failed(error: string, retryAfterMs?: number): number {
    const now = this.clock.now();
    this.st.consecutiveFailures++;
    this.st.lastError = error;
    this.st.lastErrorAt = new Date(now).toISOString();
    let delay = fullJitter(this.st.consecutiveFailures, this.opts.backoffBaseMs, this.opts.backoffMaxMs, this.random);
    if (retryAfterMs !== undefined) delay = Math.max(delay, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    this.st.backoffMs = delay;
    this.st.nextAttemptAt = now + delay;
    this.st.state = 'backoff';
    return delay;
  }

  private async run(): Promise<void> {
    const transport = this.transport!;
    while (!this.stopping) {
      this.signalled = false;
      let batch: OutboundEvent[];
      try {
        batch = this.store.nextBatch(this.isolateUntil ? 1 : this.opts.maxEvents, this.opts.maxBytes, (seq, error) => this.log.error({ seq, error }, 'outbox event cannot be read: dead letter'));
      } catch (err) {
        this.log.error({ err }, 'outbox read failed');
        await this.sleep(this.failed(`outbox read failed: ${(err as Error).message}`));
        continue;
      }
      if (batch.length === 0) {
        this.isolateUntil = 0;
        this.st.state = 'idle';
        await this.waitForWork();
        continue;
      }
      this.st.state = 'sending';
      const ctrl = new AbortController();
      this.inflight = ctrl;
      // Only the seqs are kept while the transport works: the event JSON can be collected as soon as it is written.
      const seqs = batch.map((e) => e.seq);
      const personal = batch.some((e) => e.personal);
      let res: SendResult;
      try {
        res = await transport.send(batch.splice(0), ctrl.signal);
      } catch (err) {
        res = { delivered: [], retry: { error: (err as Error).message } };
      }
      this.inflight = null;
      try {
        await this.apply(seqs, res, personal);
      } catch (err) {
        // Marking failed (disk full?): the batch stays pending and is re-sent; duplicates keep their id.
        this.log.error({ err }, 'outbox update failed');
        if (!this.stopping) await this.sleep(this.failed(`outbox update failed: ${(err as Error).message}`));
      }
    }
  }

  private async apply(seqs: number[], res: SendResult, personal: boolean): Promise<void> {
    const now = this.clock.now();
    // What status() shows: the reason, with the central reply only when it cannot quote personal data.
    const told = (reason: string) => (res.reply ? `${reason}: ${personal ? REPLY_WITHHELD : res.reply}` : reason);
    this.store.markDelivered(res.delivered, now);
    if (res.delivered.length) {
      this.st.linkProblem = null;
      this.st.deliveredSinceStart += res.delivered.length;
      this.st.lastDeliveredAt = new Date(now).toISOString();
    }
    for (const d of res.dead ?? []) {
      this.store.markDead(d.seq, d.error, res.reply, personal);
      this.log.warn({ seq: d.seq, error: headline(d.error) }, 'event refused by the central system: dead letter');
    }
    const last = seqs[seqs.length - 1];
    if (this.isolateUntil && last >= this.isolateUntil) this.isolateUntil = 0;
    if (res.refused !== undefined) {
      if (seqs.length > 1) {
        this.isolateUntil = last;
        this.log.warn({ events: seqs.length, error: headline(res.refused) }, 'batch refused: sending its events one by one');
      } else {
        this.store.markDead(seqs[0], res.refused, res.reply, personal);
        this.log.warn({ seq: seqs[0], error: headline(res.refused) }, 'event refused by the central system: dead letter');
      }
      return;
    }
    if (res.retry) {
      if (this.stopping) return; // aborted by stop(): not a failure of the central side
      const done = new Set([...res.delivered, ...(res.dead ?? []).map((d) => d.seq)]);
      this.store.recordAttempt(seqs.filter((s) => !done.has(s)), res.retry.error, res.reply, personal);
      const delay = this.failed(told(res.retry.error), res.retry.retryAfterMs);
      if (res.retry.link) this.st.linkProblem = headline(res.retry.error);
      this.log.warn({ error: headline(res.retry.error), backoffMs: delay, failures: this.st.consecutiveFailures }, 'delivery failed; retrying later');
      await this.sleep(delay);
      return;
    }
    this.st.consecutiveFailures = 0;
    this.st.linkProblem = null;
    this.st.backoffMs = 0;
    this.st.nextAttemptAt = null;
  }
}
