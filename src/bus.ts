/** In-process event bus of CloudEvents. A failing listener is logged and never breaks the emitter. */
import type { Logger } from 'pino';
import type { CloudEvent } from './outbox/envelope.ts';

export type Listener = (event: CloudEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly log: Logger) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: CloudEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err, type: event.type }, 'event listener failed');
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
