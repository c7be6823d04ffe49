/**
 * The agent's event stream (GET /api/v1/events, CloudEvents JSON) with reconnect: backoff from
 * 0.5 s to 5 s, a status callback for the page's connection dot, and a callback after each
 * reconnect so pages can re-read the state they may have missed.
 */
import { pageParam } from './api.ts';
import type { CloudEvent } from '../../../src/outbox/envelope.ts';
import type { EventMap, EventType } from '../../../src/event-map.ts';

// The agent's own types (only the types are imported: nothing of the server goes into a page).
export type { EventMap, EventType };
export type AgentEvent<T = any> = Pick<CloudEvent<T>, 'id' | 'type' | 'source' | 'subject' | 'time' | 'data'>;

type Listener = (ev: AgentEvent) => void;

export class EventStream {
  private ws: WebSocket | null = null;
  private readonly listeners: { prefix: string; fn: Listener }[] = [];
  private delay = 500;
  private closed = false;
  private everOpen = false;
  /** null until the first attempt has opened or failed. */
  connected: boolean | null = null;
  onStatus: (connected: boolean) => void = () => undefined;
  /** Called on every (re)connection; the first one too. */
  onOpen: (reconnect: boolean) => void = () => undefined;

  /** Listens to one type of event, its data as the agent's event map says (src/event-map.ts). */
  on<K extends EventType>(type: K, fn: (ev: AgentEvent<EventMap[K]>) => void): this;
  /** Listens to events whose type starts with `prefix` (e.g. `hcc.queue.`; '' for all). */
  on(prefix: '' | `hcc.${string}.`, fn: Listener): this;
  on(prefix: string, fn: Listener): this {
    this.listeners.push({ prefix, fn });
    return this;
  }

  start(): this {
    this.connect();
    return this;
  }

  stop(): void {
    this.closed = true;
    this.ws?.close();
  }

  private connect(): void {
    if (this.closed) return;
    const token = pageParam('access_token');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events${token ? `?access_token=${encodeURIComponent(token)}` : ''}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this.setConnected(true);
      this.onOpen(this.everOpen);
      this.everOpen = true;
    };
    ws.onmessage = (m) => {
      let ev: AgentEvent;
      try {
        ev = JSON.parse(String(m.data)) as AgentEvent;
      } catch {
        return;
      }
      for (const l of this.listeners) {
        if (!ev.type.startsWith(l.prefix)) continue;
        try {
          l.fn(ev);
        } catch (err) {
          console.error('event listener failed', err);
        }
      }
    };
    ws.onclose = () => {
      this.setConnected(false);
      if (this.closed) return;
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    };
    ws.onerror = () => ws.close();
  }

  private setConnected(c: boolean): void {
    if (this.connected === c) return;
    this.connected = c;
    this.onStatus(c);
  }
}
