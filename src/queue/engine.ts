/**
 * The queue host: numbering, the waiting lines, counter actions and ratings. Every change is one
 * synchronous SQLite transaction together with its outbox events, so concurrent requests cannot
 * interleave inside it (no duplicate number, no ticket called twice) and a crash loses nothing.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.ts';
import { isDiskFull } from '../store/disk.ts';
import type { Events, Tx } from '../events.ts';
import type { TicketEventData } from '../event-map.ts';
import { printTicket, type TicketPrintDeps } from './ticket-print.ts';
import { conflict, DomainError, invalid, notFound } from '../errors.ts';
import type { QueueConfig } from './config.ts';
import { isOpenAt, localTime, type Clock } from './clock.ts';
import { callText } from './voice.ts';
import type { Block, BlockBody, BoardState, Call, CounterResult, ImportBody, IssueBody, IssueResult, PendingRating, RatingBody, RatingResult, Ticket, TransferBody } from './schemas.ts';

export interface TicketRow {
  id: number;
  day: string;
  number: string;
  service_id: string;
  priority: string | null;
  state: Ticket['state'];
  pos: number;
  counter_id: string | null;
  issued_at: number;
  first_called_at: number | null;
  called_at: number | null;
  completed_at: number | null;
  recalls: number;
  transfers: number;
  origin: string;
  print_job_id: string | null;
}

interface CallRow {
  id: number;
  ticket_id: number;
  day: string;
  number: string;
  service_id: string;
  counter_id: string;
  at: number;
  recall: number;
}

export interface EngineDeps extends TicketPrintDeps {
  db: Db;
  events: Events;
  config: QueueConfig;
  timezone: string;
  /** Called after each committed change (board push). */
  onChange: () => void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function ticketView(r: TicketRow): Ticket {
  return {
    number: r.number,
    day: r.day,
    serviceId: r.service_id,
    priority: r.priority,
    state: r.state,
    counterId: r.counter_id,
    issuedAt: new Date(r.issued_at).toISOString(),
    calledAt: iso(r.called_at),
    completedAt: iso(r.completed_at),
  };
}

/** Event data with the timestamps the central side computes waiting and service time from. */
function eventData<E extends object>(r: TicketRow, extra: E): TicketEventData & E {
  return {
    number: r.number,
    day: r.day,
    serviceId: r.service_id,
    priority: r.priority,
    counterId: r.counter_id,
    issuedAt: new Date(r.issued_at).toISOString(),
    calledAt: iso(r.called_at),
    firstCalledAt: iso(r.first_called_at),
    completedAt: iso(r.completed_at),
    waitMs: r.first_called_at === null ? null : r.first_called_at - r.issued_at,
    serviceMs: r.completed_at === null || r.called_at === null ? null : r.completed_at - r.called_at,
    ...extra,
  };
}

export class QueueEngine {
  clock: Clock;
  private s!: Record<string, Statement<unknown[]>>;
  private readonly services: Map<string, QueueConfig['services'][number]>;
  private readonly counters: Map<string, QueueConfig['counters'][number]>;

  constructor(
    private readonly d: EngineDeps,
    clock: Clock,
  ) {
    this.clock = clock;
    this.services = new Map(d.config.services.map((s) => [s.id, s]));
    this.counters = new Map(d.config.counters.map((c) => [c.id, c]));
  }

  start(): void {
    const p = (sql: string) => this.d.db.prepare(sql);
    this.s = {
      numbering: p(`INSERT INTO queue_numbering (day, prefix, last) VALUES (?, ?, 0)
                    ON CONFLICT (day, prefix) DO UPDATE SET last = last RETURNING last, issued, low`),
      takeNumber: p('UPDATE queue_numbering SET last = last + 1, issued = issued + 1 WHERE day = ? AND prefix = ? RETURNING last'),
      countIssued: p('UPDATE queue_numbering SET issued = issued + 1 WHERE day = ? AND prefix = ?'),
      setLow: p('UPDATE queue_numbering SET low = ? WHERE day = ? AND prefix = ?'),
      insert: p(`INSERT INTO queue_tickets (day, number, service_id, priority, state, pos, issued_at, origin)
                 VALUES (@day, @number, @serviceId, @priority, 'waiting', @pos, @issuedAt, @origin)`),
      byId: p('SELECT * FROM queue_tickets WHERE id = ?'),
      byNumber: p('SELECT * FROM queue_tickets WHERE day = ? AND number = ?'),
      line: p('SELECT waiting, priority_waiting, served, service_ms FROM queue_lines WHERE day = ? AND service_id = ?'),
      lineServed: p(`INSERT INTO queue_lines (day, service_id, served, service_ms) VALUES (?, ?, 1, ?)
                     ON CONFLICT (day, service_id) DO UPDATE SET served = served + 1, service_ms = service_ms + excluded.service_ms`),
      lineAdd: p(`INSERT INTO queue_lines (day, service_id, waiting, priority_waiting) VALUES (?, ?, ?, ?)
                  ON CONFLICT (day, service_id) DO UPDATE SET waiting = waiting + excluded.waiting, priority_waiting = priority_waiting + excluded.priority_waiting`),
      next: p(`SELECT * FROM queue_tickets WHERE day = ? AND state = 'waiting' AND service_id IN (SELECT value FROM json_each(?))
               AND (priority IS NOT NULL) = ? ORDER BY pos, id LIMIT 1`),
      current: p(`SELECT * FROM queue_tickets WHERE day = ? AND counter_id = ? AND state = 'called'`),
      setCalled: p(`UPDATE queue_tickets SET state = 'called', counter_id = ?, called_at = ?, first_called_at = COALESCE(first_called_at, ?) WHERE id = ? AND state = 'waiting'`),
      finish: p(`UPDATE queue_tickets SET state = ?, completed_at = ? WHERE id = ? AND state = 'called'`),
      transfer: p(`UPDATE queue_tickets SET state = 'waiting', service_id = ?, counter_id = NULL, called_at = NULL, pos = ?, transfers = transfers + 1 WHERE id = ? AND state = 'called'`),
      firstPos: p(`SELECT MIN(pos) AS p FROM queue_tickets WHERE day = ? AND state = 'waiting' AND service_id = ?`),
      recall: p('UPDATE queue_tickets SET recalls = recalls + 1 WHERE id = ?'),
      setPrintJob: p('UPDATE queue_tickets SET print_job_id = ? WHERE id = ?'),
      insertCall: p('INSERT INTO queue_calls (ticket_id, day, number, service_id, counter_id, at, recall) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      lastCallOf: p('SELECT MAX(id) AS id FROM queue_calls WHERE ticket_id = ?'),
      call: p('SELECT * FROM queue_calls WHERE id = ?'),
      counterState: p('SELECT day, normals FROM queue_counter_state WHERE counter_id = ?'),
      setCounterState: p(`INSERT INTO queue_counter_state (counter_id, day, normals) VALUES (?, ?, ?)
                          ON CONFLICT (counter_id) DO UPDATE SET day = excluded.day, normals = excluded.normals`),
      boardWaiting: p('SELECT service_id, waiting AS n, priority_waiting AS p FROM queue_lines WHERE day = ?'),
      boardLastIssued: p('SELECT prefix, last FROM queue_numbering WHERE day = ?'),
      boardCurrent: p(`SELECT c.* FROM queue_tickets t JOIN queue_calls c ON c.id = (SELECT MAX(id) FROM queue_calls WHERE ticket_id = t.id)
                       WHERE t.day = ? AND t.state = 'called'`),
      lastCalls: p('SELECT * FROM queue_calls WHERE day = ? ORDER BY id DESC LIMIT ?'),
      pending: p(`SELECT t.* FROM queue_tickets t LEFT JOIN queue_ratings r ON r.ticket_id = t.id
                  WHERE t.day = ? AND t.counter_id = ? AND t.state = 'completed' AND t.completed_at >= ? AND r.ticket_id IS NULL
                  ORDER BY t.completed_at DESC, t.id DESC LIMIT 1`),
      rated: p('SELECT 1 FROM queue_ratings WHERE ticket_id = ?'),
      insertRating: p('INSERT INTO queue_ratings (ticket_id, counter_id, level, score, at) VALUES (?, ?, ?, ?, ?)'),
      insertBlock: p('INSERT INTO queue_blocks (day, prefix, service_id, first, last, agent, reserved_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      block: p('SELECT * FROM queue_blocks WHERE id = ?'),
    };
  }

  // ------------------------------------------------------------------ helpers

  today(now = this.clock()): string {
    return localTime(now, this.d.timezone).day;
  }

  limitOf(serviceId: string): number {
    return this.services.get(serviceId)?.dailyLimit || this.d.config.dailyLimit;
  }

  /** Digits of a number: 3, more when the daily limit needs them (A0001…). */
  widthOf(serviceId: string): number {
    return Math.max(3, String(this.limitOf(serviceId)).length);
  }

  /** The highest number of that width (999): kiosks' reserve blocks are taken down from it. */
  private topOf(serviceId: string): number {
    return 10 ** this.widthOf(serviceId) - 1;
  }

  /** Today's numbering of a service: last number issued upward, tickets issued, lowest reserved. */
  private numbering(day: string, prefix: string): { last: number; issued: number; low: number | null } {
    return this.s.numbering.get(day, prefix) as { last: number; issued: number; low: number | null };
  }

  private dailyLimit(serviceId: string): DomainError {
    return conflict('daily-limit', `The daily limit of ${serviceId} tickets is reached`, 'Đã hết số thứ tự trong ngày cho dịch vụ này');
  }

  isOpen(now = this.clock()): boolean {
    return isOpenAt(this.d.config.openingHours, now, this.d.timezone);
  }

  service(id: string) {
    const s = this.services.get(id);
    if (!s) throw new DomainError('not-found', 'unknown-service', `service ${id} is not offered here`, `Không có dịch vụ ${id}`);
    return s;
  }

  counter(id: string) {
    const c = this.counters.get(id);
    if (!c) throw notFound(`counter ${id}`, `quầy ${id}`);
    return c;
  }

  checkPriority(priority: string | undefined | null): string | null {
    if (priority === undefined || priority === null) return null;
    if (!this.d.config.priority.categories.some((c) => c.id === priority)) {
      throw invalid('unknown-priority', `priority category ${priority} is not configured`, `Không có đối tượng ưu tiên ${priority}`);
    }
    return priority;
  }

  /**
   * People ahead × today's average service time of the line ÷ the counters serving it; unknown
   * until a few tickets of the day have been served.
   */
  private estimateMinutes(serviceId: string, ahead: number, line: { served: number; service_ms: number } | undefined): number | undefined {
    if (!line || line.served < 3) return undefined;
    const counters = Math.max(1, this.d.config.counters.filter((c) => c.services.includes(serviceId)).length);
    return Math.min(1440, Math.ceil((ahead * (line.service_ms / line.served)) / counters / 60_000));
  }

  /** Keeps queue_lines in step with tickets entering (+1) or leaving (−1) a waiting line. */
  private lineChange(day: string, serviceId: string, priority: string | null, delta: 1 | -1): void {
    this.s.lineAdd.run(day, serviceId, delta, priority ? delta : 0);
  }

  private row(id: number): TicketRow {
    return this.s.byId.get(id) as TicketRow;
  }

  private callView(c: CallRow): Call {
    const counter = this.counters.get(c.counter_id);
    return {
      callId: c.id,
      number: c.number,
      serviceId: c.service_id,
      counterId: c.counter_id,
      counterName: counter?.name ?? c.counter_id,
      at: new Date(c.at).toISOString(),
      recall: c.recall === 1,
      text: callText(c.number, counter?.spoken || c.counter_id),
      audioUrl: `/api/v1/queue/voice/${c.id}.wav`,
    };
  }

  private commit<R>(work: (tx: Tx) => R): R {
    const r = this.d.events.transaction(work);
    this.d.onChange();
    return r;
  }

  // ------------------------------------------------------------------ issuing

  issue(body: IssueBody, origin = 'host'): IssueResult {
    return this.commit((tx) => this.issueIn(tx, body, origin));
  }

  /**
   * Group commit: tickets requested while a commit is pending are issued together in one
   * transaction (one fsync), each in its own savepoint so that one refusal (daily limit) does not
   * undo the others. Each caller is answered only after the commit, so nothing acknowledged is lost.
   */
  issueBatched(body: IssueBody, origin = 'host'): Promise<IssueResult> {
    return new Promise((resolve, reject) => {
      this.batch.push({ body, origin, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => this.flush());
    });
  }

  private batch: { body: IssueBody; origin: string; resolve: (r: IssueResult) => void; reject: (e: unknown) => void }[] = [];

  private flush(): void {
    const items = this.batch;
    this.batch = [];
    let outcomes: ({ ok: IssueResult } | { err: unknown })[];
    try {
      outcomes = this.commit((tx) =>
        items.map((it) => {
          try {
            return { ok: this.d.db.transaction(() => this.issueIn(tx, it.body, it.origin))() };
          } catch (err) {
            // A full disk (or any error after which SQLite rolled the whole transaction back) fails
            // the whole batch with its real cause, not only this ticket.
            if (isDiskFull(err) || !this.d.db.inTransaction) throw err;
            return { err };
          }
        }),
      );
    } catch (err) {
      for (const it of items) it.reject(err);
      return;
    }
    outcomes.forEach((o, i) => ('ok' in o ? items[i].resolve(o.ok) : items[i].reject(o.err)));
  }

  /** Issues one ticket inside the caller's transaction; throws (before emitting) when refused. */
  private issueIn(tx: Tx, body: IssueBody, origin: string): IssueResult {
    const now = this.clock();
    const service = this.service(body.serviceId);
    const priority = this.checkPriority(body.priority);
    if (!this.isOpen(now)) {
      throw conflict('closed', 'Tickets are issued during opening hours only', 'Ngoài giờ làm việc, không cấp số thứ tự');
    }
    const day = this.today(now);
    const print = body.print ?? this.d.config.printing.enabled;
    const n = this.numbering(day, service.prefix);
    // Refused when the day's tickets reach the limit, or when the next number would run into the
    // numbers kiosks hold in reserve (only when the limit fills nearly the whole number range).
    if (n.issued >= this.limitOf(service.id) || n.last + 1 >= (n.low ?? this.topOf(service.id) + 1)) throw this.dailyLimit(service.id);
    const seq = (this.s.takeNumber.get(day, service.prefix) as { last: number }).last;
    const number = service.prefix + String(seq).padStart(this.widthOf(service.id), '0');
    const line = this.s.line.get(day, service.id) as { waiting: number; priority_waiting: number; served: number; service_ms: number } | undefined;
    const ahead = (priority ? line?.priority_waiting : line?.waiting) ?? 0;
    const id = Number(this.s.insert.run({ day, number, serviceId: service.id, priority, pos: now.getTime(), issuedAt: now.getTime(), origin }).lastInsertRowid);
    this.lineChange(day, service.id, priority, +1);
    const result: IssueResult = { number, serviceId: service.id, priority, day, issuedAt: now.toISOString(), waitingAhead: ahead };
    const estimate = this.estimateMinutes(service.id, ahead, line);
    if (estimate !== undefined) result.estimatedWaitMinutes = estimate;
    if (print) {
      Object.assign(result, printTicket(this.d, result, tx));
      if (result.printJobId) this.s.setPrintJob.run(result.printJobId, id);
    }
    tx.emit('hcc.queue.ticket.issued', number, eventData(this.row(id), { origin, printJobId: result.printJobId ?? null }), { time: now });
    return result;
  }

  // ------------------------------------------------------------------ counters

  private currentOf(day: string, counterId: string): TicketRow | undefined {
    return this.s.current.get(day, counterId) as TicketRow | undefined;
  }

  /** Picks the next ticket for a counter by its services and the priority policy. */
  private pickNext(day: string, counter: QueueConfig['counters'][number]): TicketRow | undefined {
    const services = JSON.stringify(counter.services);
    const prio = this.s.next.get(day, services, 1) as TicketRow | undefined;
    const normal = this.s.next.get(day, services, 0) as TicketRow | undefined;
    const { policy, every } = this.d.config.priority;
    if (policy === 'strict' || !prio || !normal) {
      const pick = prio ?? normal;
      if (pick && policy === 'interleaved') this.s.setCounterState.run(counter.id, day, pick.priority ? 0 : this.normalsSince(day, counter.id) + 1);
      return pick;
    }
    const normals = this.normalsSince(day, counter.id);
    const pick = normals >= every ? prio : normal;
    this.s.setCounterState.run(counter.id, day, pick.priority ? 0 : normals + 1);
    return pick;
  }

  /** Normal tickets called at the counter since its last priority ticket; a new day starts owing one. */
  private normalsSince(day: string, counterId: string): number {
    const st = this.s.counterState.get(counterId) as { day: string; normals: number } | undefined;
    return st && st.day === day ? st.normals : this.d.config.priority.every;
  }

  private finishCurrent(tx: Tx, current: TicketRow, state: 'completed' | 'no-show', now: Date): TicketRow {
    this.s.finish.run(state, now.getTime(), current.id);
    if (state === 'completed' && current.called_at !== null) this.s.lineServed.run(current.day, current.service_id, now.getTime() - current.called_at);
    const r = this.row(current.id);
    tx.emit(state === 'completed' ? 'hcc.queue.ticket.completed' : 'hcc.queue.ticket.skipped', r.number, eventData(r, { outcome: state }), { time: now });
    return r;
  }

  private addCall(tx: Tx, r: TicketRow, counterId: string, now: Date, recall: boolean): number {
    const callId = Number(this.s.insertCall.run(r.id, r.day, r.number, r.service_id, counterId, now.getTime(), recall ? 1 : 0).lastInsertRowid);
    tx.emit(recall ? 'hcc.queue.ticket.recalled' : 'hcc.queue.ticket.called', r.number, eventData(r, { callId, recall }), { time: now });
    return callId;
  }

  private noCurrent(counterId: string): DomainError {
    return conflict('no-current-ticket', `counter ${counterId} is serving no ticket`, `Quầy ${counterId} chưa gọi số nào`);
  }

  /** Call next: completes the ticket being served, then calls the next one. */
  callNext(counterId: string): CounterResult {
    const counter = this.counter(counterId);
    const now = this.clock();
    const day = this.today(now);
    return this.commit((tx) => {
      const current = this.currentOf(day, counterId);
      const finished = current ? ticketView(this.finishCurrent(tx, current, 'completed', now)) : null;
      const next = this.pickNext(day, counter);
      if (!next) {
        return { counterId, action: 'call-next', ticket: null, finished, notice: { code: 'none-waiting', message: 'No ticket is waiting', messageVi: 'Không còn số chờ' } };
      }
      this.s.setCalled.run(counterId, now.getTime(), now.getTime(), next.id);
      this.lineChange(day, next.service_id, next.priority, -1);
      const r = this.row(next.id);
      const callId = this.addCall(tx, r, counterId, now, false);
      return { counterId, action: 'call-next', ticket: ticketView(r), finished, callId };
    });
  }

  recall(counterId: string): CounterResult {
    this.counter(counterId);
    const now = this.clock();
    const day = this.today(now);
    return this.commit((tx) => {
      const current = this.currentOf(day, counterId);
      if (!current) throw this.noCurrent(counterId);
      this.s.recall.run(current.id);
      const callId = this.addCall(tx, this.row(current.id), counterId, now, true);
      return { counterId, action: 'recall', ticket: ticketView(this.row(current.id)), callId };
    });
  }

  finish(counterId: string, outcome: 'completed' | 'no-show'): CounterResult {
    this.counter(counterId);
    const now = this.clock();
    const day = this.today(now);
    return this.commit((tx) => {
      const current = this.currentOf(day, counterId);
      if (!current) throw this.noCurrent(counterId);
      const r = this.finishCurrent(tx, current, outcome, now);
      return { counterId, action: outcome === 'completed' ? 'complete' : 'skip', ticket: ticketView(r) };
    });
  }

  /** Sends the ticket being served to another service's line, keeping its number. */
  transfer(counterId: string, body: TransferBody): CounterResult {
    this.counter(counterId);
    const to = this.service(body.serviceId);
    const now = this.clock();
    const day = this.today(now);
    return this.commit((tx) => {
      const current = this.currentOf(day, counterId);
      if (!current) throw this.noCurrent(counterId);
      const first = (this.s.firstPos.get(day, to.id) as { p: number | null }).p;
      const pos = body.position === 'last' || first === null ? now.getTime() : Math.min(first - 1, now.getTime());
      this.s.transfer.run(to.id, pos, current.id);
      this.lineChange(day, to.id, current.priority, +1);
      const r = this.row(current.id);
      tx.emit('hcc.queue.ticket.transferred', r.number, eventData(r, { fromServiceId: current.service_id, toServiceId: to.id, fromCounterId: counterId, transferredAt: now.toISOString() }), { time: now });
      return { counterId, action: 'transfer', ticket: ticketView(r) };
    });
  }

  // ------------------------------------------------------------------ board

  state(): BoardState {
    const now = this.clock();
    const day = this.today(now);
    const waiting = new Map((this.s.boardWaiting.all(day) as { service_id: string; n: number; p: number }[]).map((r) => [r.service_id, r]));
    const lastByPrefix = new Map((this.s.boardLastIssued.all(day) as { prefix: string; last: number }[]).map((r) => [r.prefix, r.last]));
    const current = new Map((this.s.boardCurrent.all(day) as CallRow[]).map((c) => [c.counter_id, this.callView(c)]));
    return {
      day,
      generatedAt: now.toISOString(),
      services: this.d.config.services.map((s) => {
        const last = lastByPrefix.get(s.prefix);
        return {
          id: s.id,
          name: s.name,
          nameEn: s.nameEn,
          prefix: s.prefix,
          waiting: waiting.get(s.id)?.n ?? 0,
          priorityWaiting: waiting.get(s.id)?.p ?? 0,
          lastIssued: last ? s.prefix + String(last).padStart(this.widthOf(s.id), '0') : null,
        };
      }),
      counters: this.d.config.counters.map((c) => ({ id: c.id, name: c.name, services: c.services, current: current.get(c.id) ?? null })),
      lastCalls: (this.s.lastCalls.all(day, this.d.config.board.lastCalls) as CallRow[]).map((c) => this.callView(c)),
    };
  }

  callById(callId: number): Call | undefined {
    const c = this.s.call.get(callId) as CallRow | undefined;
    return c && this.callView(c);
  }

  // ------------------------------------------------------------------ ratings

  pendingRating(counterId: string): PendingRating {
    this.counter(counterId);
    const now = this.clock();
    const since = now.getTime() - this.d.config.ratings.windowMinutes * 60_000;
    const r = this.s.pending.get(this.today(now), counterId, since) as TicketRow | undefined;
    return {
      counterId,
      ticket: r ? { number: r.number, serviceId: r.service_id, completedAt: new Date(r.completed_at!).toISOString() } : null,
      levels: this.d.config.ratings.levels,
    };
  }

  rate(body: RatingBody): RatingResult {
    const level = this.d.config.ratings.levels.find((l) => l.id === body.level);
    if (!level) throw invalid('unknown-level', `rating level ${body.level} is not configured`, `Không có mức đánh giá ${body.level}`);
    if (!body.number && !body.counterId) throw invalid('bad-request', 'give the ticket number or the counter', 'Cần số thứ tự hoặc quầy');
    const now = this.clock();
    const day = this.today(now);
    return this.commit((tx) => {
      let t: TicketRow | undefined;
      if (body.number) {
        t = this.s.byNumber.get(day, body.number) as TicketRow | undefined;
        if (!t) throw notFound(`ticket ${body.number}`, `số thứ tự ${body.number}`);
        if (body.counterId && t.counter_id !== body.counterId) throw conflict('other-counter', `ticket ${t.number} was not served at counter ${body.counterId}`, `Số ${t.number} không được phục vụ tại quầy này`);
      } else {
        const p = this.pendingRating(body.counterId!).ticket;
        if (!p) throw new DomainError('not-found', 'nothing-to-rate', `no served ticket awaits a rating at counter ${body.counterId}`, 'Không có lượt phục vụ nào chờ đánh giá');
        t = this.s.byNumber.get(day, p.number) as TicketRow;
      }
      if (t.state !== 'completed') throw conflict('not-served', `ticket ${t.number} has not been served`, `Số ${t.number} chưa được phục vụ xong`);
      if (this.s.rated.get(t.id)) throw conflict('already-rated', `ticket ${t.number} is already rated`, `Số ${t.number} đã được đánh giá`);
      this.s.insertRating.run(t.id, t.counter_id, level.id, level.score, now.getTime());
      const out: RatingResult = { number: t.number, counterId: t.counter_id!, level: level.id, score: level.score, ratedAt: now.toISOString() };
      tx.emit('hcc.feedback.rated', t.number, { ...out, day: t.day, serviceId: t.service_id, levelName: level.name, levelNameEn: level.nameEn }, { time: now });
      return out;
    });
  }

  // ------------------------------------------------------------------ blocks for client kiosks

  /**
   * Reserves `size` numbers of today for a client kiosk; the host never issues them itself. They
   * come from the top of the range (A999 down), apart from the host's own (A001 up), and count
   * against the daily limit only when the kiosk issues them: idle reserves never turn citizens away.
   */
  reserveBlock(body: BlockBody): Block {
    const service = this.service(body.serviceId);
    const now = this.clock();
    const day = this.today(now);
    return this.d.db.transaction(() => {
      const n = this.numbering(day, service.prefix);
      if (n.issued >= this.limitOf(service.id)) throw this.dailyLimit(service.id);
      const last = (n.low ?? this.topOf(service.id) + 1) - 1;
      const first = Math.max(last - body.size + 1, n.last + 1);
      if (first > last) throw this.dailyLimit(service.id);
      this.s.setLow.run(first, day, service.prefix);
      const id = Number(this.s.insertBlock.run(day, service.prefix, service.id, first, last, body.agent, now.getTime()).lastInsertRowid);
      return { id, day, serviceId: service.id, prefix: service.prefix, width: this.widthOf(service.id), first, last };
    })();
  }

  /** Receives tickets a client issued from its blocks while the host was unreachable. */
  importTickets(body: ImportBody): { accepted: number; already: number } {
    let accepted = 0;
    let already = 0;
    this.commit((tx) => {
      for (const t of body.tickets) {
        const block = this.s.block.get(t.blockId) as { day: string; prefix: string; service_id: string; first: number; last: number; agent: string } | undefined;
        const m = /^([A-Z]{1,2})(\d+)$/.exec(t.number);
        const seq = m ? Number(m[2]) : NaN;
        const issued = Date.parse(t.issuedAt);
        // The block must be this kiosk's, of the day the ticket was issued: after a host database
        // is replaced its block ids start again, and another kiosk's block (or today's) may carry
        // the id of an old one. A match on id and range alone would put yesterday's ticket in
        // today's line, or hide a real ticket of the other kiosk as "already received".
        if (!block || !m || m[1] !== block.prefix || block.service_id !== t.serviceId || seq < block.first || seq > block.last || block.agent !== body.agent || this.today(new Date(issued)) !== block.day) {
          throw conflict('not-in-block', `ticket ${t.number} is not in block ${t.blockId}`, `Số ${t.number} không thuộc dải số đã cấp`);
        }
        if (this.s.byNumber.get(block.day, t.number)) {
          already++;
          continue;
        }
        const priority = this.checkPriority(t.priority);
        const id = Number(this.s.insert.run({ day: block.day, number: t.number, serviceId: t.serviceId, priority, pos: issued, issuedAt: issued, origin: body.agent }).lastInsertRowid);
        this.lineChange(block.day, t.serviceId, priority, +1);
        this.s.countIssued.run(block.day, block.prefix);
        tx.emit('hcc.queue.ticket.issued', t.number, eventData(this.row(id), { origin: body.agent, offline: true, blockId: t.blockId }), { time: new Date(issued) });
        accepted++;
      }
    });
    return { accepted, already };
  }
}
