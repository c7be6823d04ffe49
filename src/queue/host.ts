/**
 * The queue host (queue.role: host): the engine that numbers and calls tickets, with board pushes
 * coalesced for live listeners and voice calls produced from a disk cache.
 */
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import type { Events } from '../events.ts';
import type { Check } from '../health.ts';
import type { PrintSubmitter } from '../printing/api.ts';
import { DomainError, failed, invalid, notFound } from '../errors.ts';
import type { QueueBackend } from './backend.ts';
import { publicConfig } from './backend.ts';
import { logConfigProblems, type QueueConfig } from './config.ts';
import { QueueEngine } from './engine.ts';
import { Voice } from './voice.ts';
import { buildReport } from './report.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Block, BlockBody, BoardState, CounterAction, CounterResult, ImportBody, IssueBody, IssueResult, LinkState, Notice, PendingRating, PublicConfig, RatingBody, RatingResult, Report, TransferBody } from './schemas.ts';

/** Board pushes are coalesced: at most one `hcc.queue.board` per this many ms. */
const BOARD_PUSH_MS = 100;
/** Voice calls cached longer than this are removed at start. */
const VOICE_CACHE_DAYS = 7;

export interface HostDeps {
  db: Db;
  events: Events;
  config: QueueConfig;
  timezone: string;
  /** The voice cache lives below it. */
  dataDir: string;
  log: Logger;
  printing: PrintSubmitter;
  /** Why the ticket printer cannot print now, if it cannot. */
  printerProblem: (printer: string | undefined) => Notice | undefined;
  clock?: Clock;
}

export class QueueHost implements QueueBackend {
  readonly name = 'queue';
  readonly role = 'host';
  readonly engine: QueueEngine;
  private readonly voice: Voice | null;
  private boardTimer: NodeJS.Timeout | null = null;

  constructor(private readonly d: HostDeps) {
    this.engine = new QueueEngine({ ...d, onChange: () => this.boardChanged() }, d.clock ?? systemClock);
    this.voice = d.config.voice.enabled ? new Voice(d.config.voice, d.dataDir) : null;
  }

  get clock(): Clock {
    return this.engine.clock;
  }

  set clock(c: Clock) {
    this.engine.clock = c;
  }

  start(): void {
    logConfigProblems(this.d.config, this.d.log);
    this.engine.start();
    this.voice?.prune(VOICE_CACHE_DAYS).catch((err) => this.d.log.warn({ err }, 'voice cache prune failed'));
  }

  stop(): void {
    if (this.boardTimer) clearTimeout(this.boardTimer);
    this.boardTimer = null;
  }

  check(): Check {
    return { ok: true, detail: { role: 'host' } };
  }

  /** Pushes the board state to live listeners (WebSocket) shortly after changes. */
  private boardChanged(): void {
    if (this.boardTimer) return;
    this.boardTimer = setTimeout(() => {
      this.boardTimer = null;
      try {
        this.d.events.publish('hcc.queue.board', undefined, this.engine.state());
      } catch (err) {
        this.d.log.error({ err }, 'queue board push failed');
      }
    }, BOARD_PUSH_MS).unref();
  }

  private spokenCounter(counterId: string): string {
    return this.d.config.counters.find((c) => c.id === counterId)?.spoken || counterId;
  }

  /** Produces the voice call in the background so the board's request is answered from cache. */
  private warmVoice(callId: number | undefined): void {
    if (callId === undefined || !this.voice) return;
    const call = this.engine.callById(callId);
    if (call) this.voice.wav(call.number, this.spokenCounter(call.counterId)).catch((err) => this.d.log.error({ err }, 'voice call failed'));
  }

  publicConfig(): PublicConfig {
    return publicConfig(this.d.config, this.d.timezone, this.clock());
  }

  issue(body: IssueBody): Promise<IssueResult> {
    return this.engine.issueBatched(body);
  }

  async counterAction(id: string, action: CounterAction, body?: TransferBody): Promise<CounterResult> {
    const e = this.engine;
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
        if (!body) throw invalid('bad-request', 'transfer needs {serviceId}', 'Cần dịch vụ chuyển đến');
        r = e.transfer(id, body);
        break;
    }
    this.warmVoice(r.callId);
    return r;
  }

  async state(): Promise<BoardState> {
    return this.engine.state();
  }

  async voiceWav(callId: number): Promise<Buffer> {
    const call = this.engine.callById(callId);
    if (!call) throw notFound(`call ${callId}`, `lượt gọi ${callId}`);
    if (!this.voice) throw new DomainError('not-found', 'voice-disabled', 'Voice calls are disabled (queue.voice.enabled)', 'Chức năng gọi bằng giọng nói đang tắt');
    try {
      return await this.voice.wav(call.number, this.spokenCounter(call.counterId));
    } catch (err) {
      this.d.log.error({ err }, 'voice call failed');
      throw failed('voice-failed', `The voice call could not be produced: ${(err as Error).message}`, 'Không tạo được lời gọi bằng giọng nói');
    }
  }

  async pendingRating(counterId: string): Promise<PendingRating> {
    return this.engine.pendingRating(counterId);
  }

  async rate(body: RatingBody): Promise<RatingResult> {
    return this.engine.rate(body);
  }

  async report(date?: string): Promise<Report> {
    return buildReport(this.d.db, this.d.config, date ?? this.engine.today(), this.d.timezone);
  }

  link(): LinkState {
    return { role: 'host', reachable: true, lastContactAt: null, pendingSync: 0, refusedSync: 0, blocks: [], notice: null };
  }

  reserveBlock(body: BlockBody): Block {
    return this.engine.reserveBlock(body);
  }

  importTickets(body: ImportBody): { accepted: number; already: number } {
    return this.engine.importTickets(body);
  }
}
