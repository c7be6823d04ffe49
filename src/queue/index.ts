/**
 * The queue component: the host engine (queue.role: host) or the client that forwards to the host
 * (role: client), behind one API the routes call; board pushes, voice calls and the health check.
 */
import type { AgentContext } from '../context.ts';
import { HttpError } from '../http/errors.ts';
import { notFound } from '../errors.ts';
import { QueueEngine } from './engine.ts';
import { HostUnreachable, QueueClient } from './client.ts';
import { Voice } from './voice.ts';
import { buildReport } from './report.ts';
import { isOpenAt, systemClock, type Clock } from './clock.ts';
import { printerProblemFrom } from './ticket-print.ts';
import type {
  Block,
  BlockBody,
  BoardState,
  CounterAction,
  CounterResult,
  ImportBody,
  IssueBody,
  IssueResult,
  LinkState,
  PendingRating,
  PublicConfig,
  RatingBody,
  RatingResult,
  Report,
  TransferBody,
} from './schemas.ts';

/** Board pushes are coalesced: at most one `hcc.queue.board` per this many ms. */
const BOARD_PUSH_MS = 100;
/** Voice calls cached longer than this are removed at start. */
const VOICE_CACHE_DAYS = 7;

export class Queue {
  readonly name = 'queue';
  engine: QueueEngine | null = null;
  client: QueueClient | null = null;
  voice: Voice | null = null;
  private boardTimer: NodeJS.Timeout | null = null;
  private clockFn: Clock;

  constructor(
    private readonly ctx: () => AgentContext,
    opts: { clock?: Clock } = {},
  ) {
    this.clockFn = opts.clock ?? systemClock;
  }

  get role(): 'host' | 'client' {
    return this.ctx().config.queue.role;
  }

  /** The clock numbering and days follow; tests set a fake one. */
  get clock(): Clock {
    return this.clockFn;
  }

  set clock(c: Clock) {
    this.clockFn = c;
    if (this.engine) this.engine.clock = c;
    if (this.client) this.client.clock = c;
  }

  start(): void {
    const ctx = this.ctx();
    const cfg = ctx.config.queue;
    const deps = {
      db: ctx.db,
      config: cfg,
      printing: () => this.ctx().printing,
      printerProblem: printerProblemFrom(ctx.devices, ctx.config.printing.defaultPrinter),
      timezone: ctx.config.agent.timezone,
    };
    const ids = new Set(cfg.services.map((s) => s.id));
    for (const c of cfg.counters) {
      const unknown = c.services.filter((id) => !ids.has(id));
      if (unknown.length) ctx.log.error({ counter: c.id, unknown }, 'queue.counters lists services that queue.services does not define; they are never called there');
    }
    if (ids.size !== cfg.services.length) ctx.log.error('queue.services has duplicate ids; the first of each is used');
    if (cfg.role === 'host') {
      this.engine = new QueueEngine({ ...deps, events: ctx.events, onChange: () => this.boardChanged() }, this.clockFn);
      this.engine.start();
      if (cfg.voice.enabled) {
        this.voice = new Voice(cfg.voice, ctx.dataDir);
        this.voice.prune(VOICE_CACHE_DAYS).catch((err) => ctx.log.warn({ err }, 'voice cache prune failed'));
      }
      ctx.health.register('queue', () => ({ ok: true, detail: { role: 'host' } }));
    } else {
      this.client = new QueueClient(
        { ...deps, agentId: ctx.config.agent.id, log: ctx.log.child({ component: 'queue' }), publishBoard: (state) => ctx.events.publish('hcc.queue.board', undefined, state) },
        this.clockFn,
      );
      this.client.start();
      ctx.health.register('queue', () => {
        const l = this.client!.link();
        return l.notice === null ? { ok: true, detail: { role: 'client', host: l.hostUrl } } : { ok: false, message: l.notice.message, messageVi: l.notice.messageVi, detail: { ...l } };
      });
    }
  }

  async stop(): Promise<void> {
    if (this.boardTimer) clearTimeout(this.boardTimer);
    this.boardTimer = null;
    await this.client?.stop();
  }

  private host(): QueueEngine {
    if (!this.engine) throw new HttpError(409, 'not-queue-host', 'This agent is not the queue host', 'Máy này không phải máy chủ xếp hàng');
    return this.engine;
  }

  /** Pushes the board state to live listeners (WebSocket) shortly after changes. */
  private boardChanged(): void {
    if (this.boardTimer) return;
    this.boardTimer = setTimeout(() => {
      this.boardTimer = null;
      if (!this.engine) return;
      try {
        this.ctx().events.publish('hcc.queue.board', undefined, this.engine.state());
      } catch (err) {
        this.ctx().log.error({ err }, 'queue board push failed');
      }
    }, BOARD_PUSH_MS).unref();
  }

  /** Produces the voice call in the background so the board's request is answered from cache. */
  private warmVoice(callId: number | undefined): void {
    if (callId === undefined || !this.voice || !this.engine) return;
    const call = this.engine.callById(callId);
    const counter = this.ctx().config.queue.counters.find((c) => c.id === call?.counterId);
    if (call) this.voice.wav(call.number, counter?.spoken || call.counterId).catch((err) => this.ctx().log.error({ err }, 'voice call failed'));
  }

  // ------------------------------------------------------------------ API (routes call these)

  publicConfig(): PublicConfig {
    const ctx = this.ctx();
    const q = ctx.config.queue;
    const open = isOpenAt(q.openingHours, this.clockFn(), ctx.config.agent.timezone);
    return {
      role: q.role,
      timezone: ctx.config.agent.timezone,
      open,
      services: q.services.map(({ id, name, nameEn, prefix }) => ({ id, name, nameEn, prefix })),
      counters: q.counters.map(({ id, name, services }) => ({ id, name, services })),
      priorityCategories: q.priority.categories,
      ratingLevels: q.ratings.levels,
    };
  }

  async issue(body: IssueBody): Promise<IssueResult> {
    return this.client ? this.client.issue(body) : this.host().issueBatched(body);
  }

  async counterAction(id: string, action: CounterAction, body?: TransferBody): Promise<CounterResult> {
    if (this.client) return this.client.forward('POST', `/api/v1/queue/counters/${encodeURIComponent(id)}/${action}`, action === 'transfer' ? body : undefined);
    const e = this.host();
    let r: CounterResult;
    switch (action) {
      case 'call-next':
        r = e.callNext(id);
        break;
      case 'recall':
        r = e.recall(id);
        break;
      case 'skip':
        r = e.finish(id, 'no-show');
        break;
      case 'complete':
        r = e.finish(id, 'completed');
        break;
      case 'transfer':
        if (!body) throw new HttpError(400, 'bad-request', 'transfer needs {serviceId}', 'Cần dịch vụ chuyển đến');
        r = e.transfer(id, body);
        break;
    }
    this.warmVoice(r.callId);
    return r;
  }

  async state(): Promise<BoardState> {
    return this.client ? this.client.forward('GET', '/api/v1/queue/state') : this.host().state();
  }

  async voiceWav(callId: number): Promise<Buffer> {
    if (this.client) {
      try {
        return (await this.client.requestBinary(`/api/v1/queue/voice/${callId}.wav`)).body;
      } catch (err) {
        if (err instanceof HostUnreachable) throw this.client.unreachableError();
        throw err;
      }
    }
    const call = this.host().callById(callId);
    if (!call) throw notFound(`call ${callId}`, `lượt gọi ${callId}`);
    if (!this.voice) throw new HttpError(404, 'voice-disabled', 'Voice calls are disabled (queue.voice.enabled)', 'Chức năng gọi bằng giọng nói đang tắt');
    const counter = this.ctx().config.queue.counters.find((c) => c.id === call.counterId);
    try {
      return await this.voice.wav(call.number, counter?.spoken || call.counterId);
    } catch (err) {
      this.ctx().log.error({ err }, 'voice call failed');
      throw new HttpError(500, 'voice-failed', `The voice call could not be produced: ${(err as Error).message}`, 'Không tạo được lời gọi bằng giọng nói');
    }
  }

  async pendingRating(counterId: string): Promise<PendingRating> {
    return this.client ? this.client.forward('GET', `/api/v1/queue/rating/pending?counter=${encodeURIComponent(counterId)}`) : this.host().pendingRating(counterId);
  }

  async rate(body: RatingBody): Promise<RatingResult> {
    return this.client ? this.client.forward('POST', '/api/v1/queue/ratings', body) : this.host().rate(body);
  }

  async report(date?: string): Promise<Report> {
    if (this.client) return this.client.forward('GET', `/api/v1/queue/report${date ? `?date=${date}` : ''}`);
    const ctx = this.ctx();
    return buildReport(ctx.db, ctx.config.queue, date ?? this.host().today(), ctx.config.agent.timezone);
  }

  link(): LinkState {
    if (this.client) return this.client.link();
    return { role: 'host', reachable: true, lastContactAt: null, pendingSync: 0, refusedSync: 0, blocks: [], notice: null };
  }

  reserveBlock(body: BlockBody): Block {
    return this.host().reserveBlock(body);
  }

  importTickets(body: ImportBody): { accepted: number; already: number } {
    return this.host().importTickets(body);
  }
}
