/**
 * Recording events: a domain change and the events it produces are written in one SQLite
 * transaction (outbox), then published to live listeners (WebSocket, board) after commit.
 */
import type { Db } from './store/db.ts';
import type { EventBus } from './bus.ts';
import type { OutboxStore } from './outbox/store.ts';
import { makeEvent, type CloudEvent } from './outbox/envelope.ts';
import type { EventMap } from './event-map.ts';

export interface EmitOptions {
  /** Forward to the central system through the outbox (default true). Live-only events set false. */
  forward?: boolean;
  /** The data holds personal data (citizen names, ID numbers): stored encrypted, erased once delivered. */
  personal?: boolean;
  time?: Date;
}

/**
 * Events whose data is personal (emitted with `personal`), as live listeners see them: the flag is
 * an emit option, not part of the CloudEvent, so the WebSocket route asks here whom it may show.
 */
const personalEvents = new WeakSet<object>();

export function isPersonal(ev: CloudEvent): boolean {
  return personalEvents.has(ev) || (ev.data as { personal?: unknown } | null)?.personal === true;
}

/**
 * Every type and its data are checked against the event map (src/event-map.ts). `M` is there for
 * the outbox's own tests, which forward made-up types.
 */
export interface Tx<M = EventMap> {
  emit<K extends keyof M & string>(type: K, subject: string | undefined, data: M[K], opts?: EmitOptions): CloudEvent<M[K]>;
}

export class Events<M = EventMap> {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly outbox: OutboxStore,
    readonly source: string,
  ) {}

  /** Runs `work` in one transaction; its emitted events are stored with it and published after commit. */
  transaction<R>(work: (tx: Tx<M>) => R): R {
    const pending: CloudEvent[] = [];
    let stored = false;
    const run = this.db.transaction(() => {
      pending.length = 0;
      stored = false;
      return work({
        emit: (type, subject, data, opts = {}) => {
          const ev = makeEvent(this.source, type, data, subject, opts.time);
          if (opts.personal) personalEvents.add(ev);
          if (opts.forward !== false) {
            this.outbox.append(ev, opts.personal ?? false);
            stored = true;
          }
          pending.push(ev);
          return ev;
        },
      });
    });
    let result: R;
    try {
      result = run();
    } catch (err) {
      // A real full disk fails at COMMIT, after append returned: the outbox must still hear of it.
      this.outbox.writeFailed(err);
      throw err;
    }
    // Nested in an outer transaction, nothing is on disk until the outer one commits.
    if (stored && !this.db.inTransaction) this.outbox.committed();
    for (const ev of pending) this.bus.publish(ev);
    return result;
  }

  /** A stored-and-forwarded event with no other change in its transaction. */
  record<K extends keyof M & string>(type: K, subject: string | undefined, data: M[K], opts?: EmitOptions): CloudEvent<M[K]> {
    return this.transaction((tx) => tx.emit(type, subject, data, opts));
  }

  /** A live-only event (WebSocket clients), not stored or forwarded: e.g. scan page thumbnails. */
  publish<K extends keyof M & string>(type: K, subject: string | undefined, data: M[K], opts: Pick<EmitOptions, 'personal'> = {}): CloudEvent<M[K]> {
    const ev = makeEvent(this.source, type, data, subject);
    if (opts.personal) personalEvents.add(ev);
    this.bus.publish(ev);
    return ev;
  }
}
