/**
 * The queue as the pages need it, read from GET /queue/state and normalised in this one place so
 * the pages do not depend on the exact response shape.
 */
import { get } from './api.ts';
import type { EventStream } from './events.ts';

export interface Service {
  id: string;
  name: string;
  nameEn: string;
  prefix: string;
  waiting: number;
}
export interface Label {
  id: string;
  name: string;
  nameEn: string;
}
export interface Call {
  /** Increases with every call (recalls included). */
  callId?: number;
  number: string;
  counterId: string;
  counterName: string;
  serviceId?: string;
  calledAt?: string;
  audioUrl?: string;
}
export interface CounterView {
  id: string;
  name: string;
  services: string[];
  current: Call | null;
}
export interface QueueView {
  services: Service[];
  counters: CounterView[];
  recent: Call[];
  categories: Label[];
  ratingLevels: Label[];
  waitingTotal: number;
}

type Any = Record<string, any>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function toCall(c: Any | null | undefined, counters: Map<string, string>): Call | null {
  if (!c || typeof c !== 'object') return null;
  const number = str(c.number ?? c.ticket ?? c.ticketNumber);
  if (!number) return null;
  const counterId = str(c.counterId ?? c.counter);
  return {
    callId: typeof c.callId === 'number' ? c.callId : undefined,
    number,
    counterId,
    counterName: str(c.counterName) || counters.get(counterId) || counterId,
    serviceId: c.serviceId,
    calledAt: c.calledAt ?? c.at ?? c.time,
    audioUrl: c.audioUrl ?? c.audio,
  };
}

export function normaliseQueue(s: Any): QueueView {
  const waitingOf = (id: string): number => {
    const w = s.waiting;
    if (w && typeof w === 'object' && !Array.isArray(w)) return Number(w[id] ?? 0);
    if (Array.isArray(w)) return Number(w.find((x: Any) => x.serviceId === id)?.count ?? 0);
    return 0;
  };
  const services: Service[] = (s.services ?? []).map((x: Any) => ({
    id: str(x.id),
    name: str(x.name),
    nameEn: str(x.nameEn),
    prefix: str(x.prefix),
    waiting: Number(x.waiting ?? x.waitingCount ?? (Array.isArray(x.tickets) ? x.tickets.length : waitingOf(str(x.id)))),
  }));
  const names = new Map<string, string>((s.counters ?? []).map((c: Any) => [str(c.id), str(c.name)]));
  const counters: CounterView[] = (s.counters ?? []).map((c: Any) => ({
    id: str(c.id),
    name: str(c.name),
    services: c.services ?? [],
    current: toCall(c.current ?? c.serving ?? c.call, names) ?? null,
  }));
  for (const c of counters) if (c.current && !c.current.counterId) c.current.counterId = c.id;
  const recent = ((s.recent ?? s.lastCalls ?? s.recentCalls ?? []) as Any[]).map((c) => toCall(c, names)).filter((c): c is Call => c !== null);
  const label = (x: Any): Label => ({ id: str(x.id), name: str(x.name), nameEn: str(x.nameEn) });
  return {
    services,
    counters,
    recent,
    categories: (s.priorityCategories ?? s.priority?.categories ?? s.categories ?? []).map(label),
    ratingLevels: (s.ratingLevels ?? s.ratings?.levels ?? []).map(label),
    waitingTotal: services.reduce((n, x) => n + x.waiting, 0),
  };
}

/**
 * Keeps a page's view of the queue current: reads config and state on every (re)connection, then
 * takes the board state the agent pushes as `hcc.queue.board` (coalesced by the agent).
 */
export class QueueFeed {
  private cfg: Any | null = null;
  private loading: Promise<void> | null = null;
  view: QueueView | null = null;
  error = false;
  onUpdate: (q: QueueView) => void = () => undefined;

  constructor(stream: EventStream) {
    stream.on('hcc.queue.board', (ev) => this.apply(ev.data as Any));
    // Pushes come from the agent that numbers tickets; a page served by a client agent (queue.role:
    // client) does not get them, so the state is also re-read now and then.
    setInterval(() => void this.load(), 15000);
  }

  private apply(state: Any): void {
    if (!this.cfg) return void this.load();
    this.view = normaliseQueue({ ...state, priorityCategories: this.cfg.priorityCategories, ratingLevels: this.cfg.ratingLevels });
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
      const [cfg, state] = await Promise.all([get<Any>('/queue/config'), get<Any>('/queue/state')]);
      this.cfg = cfg;
      this.apply(state);
    } catch {
      this.error = true;
      if (this.view) this.onUpdate(this.view);
    }
  }
}
