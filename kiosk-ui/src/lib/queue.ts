/**
 * The queue as the pages see it: GET /queue/config (services, counters, priority categories) and
 * GET /queue/state (the board state, also pushed as `hcc.queue.board`), combined in one view.
 */
import { get } from './api.ts';
import type { EventStream } from './events.ts';
import type { BoardState, Call, PublicConfig } from '../../../src/queue/schemas.ts';

// The agent's own types (only the types are imported: nothing of the server goes into a page).
export type { BoardState, Call, CounterResult, IssueResult, LinkState, Notice, PendingRating, PublicConfig } from '../../../src/queue/schemas.ts';
export type Service = BoardState['services'][number];
export type CounterView = BoardState['counters'][number];
/** A priority category. */
export type Label = PublicConfig['priorityCategories'][number];

export interface QueueView {
  services: Service[];
  counters: CounterView[];
  /** Most recent first. */
  recent: Call[];
  categories: Label[];
}

export function queueView(state: BoardState, cfg: PublicConfig): QueueView {
  return { services: state.services, counters: state.counters, recent: state.lastCalls, categories: cfg.priorityCategories };
}

/**
 * Keeps a page's view of the queue current: reads config and state on every (re)connection, then
 * takes the board state the agent pushes as `hcc.queue.board` (coalesced by the agent).
 */
export class QueueFeed {
  private cfg: PublicConfig | null = null;
  private loading: Promise<void> | null = null;
  view: QueueView | null = null;
  error = false;
  onUpdate: (q: QueueView) => void = () => undefined;

  constructor(stream: EventStream) {
    stream.on('hcc.queue.board', (ev) => this.apply(ev.data));
    // Pushes come from the host and, on a client agent, are relayed from the host as they happen; the
    // state is also re-read now and then, in case a push was missed while the page's socket was down.
    setInterval(() => void this.load(), 15000);
  }

  private apply(state: BoardState): void {
    if (!this.cfg) return void this.load();
    this.view = queueView(state, this.cfg);
    this.error = false;
    this.onUpdate(this.view);
  }

  /** Reads config (services, categories, levels) and the current state. */
  load(): Promise<void> {
    this.loading ??= this.read().finally(() => (this.loading = null));
    return this.loading;
  }

  private async read(): Promise<void> {
    try {
      const [cfg, state] = await Promise.all([get<PublicConfig>('/queue/config'), get<BoardState>('/queue/state')]);
      this.cfg = cfg;
      this.apply(state);
    } catch {
      this.error = true;
      if (this.view) this.onUpdate(this.view);
    }
  }
}
