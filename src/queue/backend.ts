/**
 * What the queue routes call. The agent picks one implementation at build time: the host engine
 * (queue.role: host, src/queue/host.ts) or the client that forwards to the host (role: client,
 * src/queue/client.ts).
 */
import type { Component } from '../component.ts';
import type { Check } from '../health.ts';
import { isOpenAt, type Clock } from './clock.ts';
import type { QueueConfig } from './config.ts';
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

export interface QueueBackend extends Component {
  readonly role: 'host' | 'client';
  /** The clock numbering and days follow; tests set a fake one. */
  clock: Clock;
  /** The `queue` health check. */
  check(): Check;
  publicConfig(): PublicConfig;
  issue(body: IssueBody): Promise<IssueResult>;
  counterAction(id: string, action: CounterAction, body?: TransferBody): Promise<CounterResult>;
  state(): Promise<BoardState>;
  voiceWav(callId: number): Promise<Buffer>;
  pendingRating(counterId: string): Promise<PendingRating>;
  rate(body: RatingBody): Promise<RatingResult>;
  report(date?: string): Promise<Report>;
  link(): LinkState;
  /** Host only: a block of numbers for a client kiosk. */
  reserveBlock(body: BlockBody): Block;
  /** Host only: tickets a client kiosk issued from its blocks. */
  importTickets(body: ImportBody): { accepted: number; already: number };
}

/** The kiosk's, counter's and board's view of the configuration; the same whichever the role. */
export function publicConfig(q: QueueConfig, timezone: string, now: Date): PublicConfig {
  return {
    role: q.role,
    timezone,
    open: isOpenAt(q.openingHours, now, timezone),
    services: q.services.map(({ id, name, nameEn, prefix }) => ({ id, name, nameEn, prefix })),
    counters: q.counters.map(({ id, name, services }) => ({ id, name, services })),
    priorityCategories: q.priority.categories,
    ratingLevels: q.ratings.levels,
  };
}
