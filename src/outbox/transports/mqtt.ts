/**
 * MQTT transport (MQTT.js, MQTT 5): each event is published with QoS 1 as a structured CloudEvent
 * to `<topicPrefix>/<site>/<agent>/events/<type>` over a persistent session with a stable client
 * id; an event counts as delivered when its PUBACK arrives. Scaling to a province is the broker
 * cluster's job (docs/central.md), never this agent's.
 */
import type { MqttClient, IClientOptions } from 'mqtt';
import { lazyRequire } from '../../../drivers/support/lazy.ts';

const mqttLib = lazyRequire<typeof import('mqtt')>('mqtt');
import type { Logger } from 'pino';
import type { OutboundEvent } from '../store.ts';
import type { SendResult, Transport } from '../relay.ts';
import { readCaFile } from '../../tls.ts';

export interface MqttTransportOptions {
  url: string;
  topicPrefix: string;
  site: string;
  agentId: string;
  clientId: string;
  username: string;
  password: string;
  caFile: string;
  ackTimeoutMs: number;
}

/**
 * PUBACK reason codes (MQTT 5.0 §3.4.2.1) that refuse this message for good: retrying the same
 * message cannot help. Others (0x80 unspecified, 0x83 implementation specific, 0x97 quota
 * exceeded…) may pass later and are retried.
 */
export const PUBACK_REFUSALS: Record<number, string> = {
  0x87: 'not authorized',
  0x90: 'topic name invalid',
  0x95: 'packet too large',
  0x99: 'payload format invalid',
};

/** Topic levels cannot hold wildcards or separators. */
function level(s: string): string {
  return s.replace(/[+#/\u0000]/g, '_');
}

export function topicFor(prefix: string, site: string, agentId: string, type: string): string {
  return `${prefix}/${level(site)}/${level(agentId)}/events/${level(type)}`;
}

/** The client id of the agent's persistent session: configured, or hcc-<site>-<agent>. */
export function mqttClientId(o: { clientId: string; site: string; agentId: string }): string {
  return o.clientId || `hcc-${o.site}-${o.agentId}`;
}

export class MqttTransport implements Transport {
  readonly name = 'mqtt';
  private client: MqttClient | null = null;
  private lastProblem = 'not connected yet';
  private readonly ca: Buffer | undefined;

  /** Throws CaFileError when the CA file cannot be used. */
  constructor(
    private readonly opts: MqttTransportOptions,
    private readonly log: Logger,
  ) {
    this.ca = readCaFile(opts.caFile, 'central.mqtt.caFile');
  }

  start(): void {
    const o: IClientOptions = {
      clientId: mqttClientId(this.opts),
      protocolVersion: 5,
      clean: false,
      // MQTT 5 ends a session at disconnect unless an expiry is given: keep it a week.
      properties: { sessionExpiryInterval: 7 * 24 * 3600 },
      reconnectPeriod: 2000,
      connectTimeout: 10000,
      keepalive: 30,
      ...(this.opts.username ? { username: this.opts.username, password: this.opts.password } : {}),
      ...(this.ca ? { ca: this.ca } : {}),
    };
    // connect() returns at once and reconnects by itself: an unreachable broker never blocks start.
    this.client = mqttLib().connect(this.opts.url, o);
    this.client.on('connect', () => this.log.info({ url: this.opts.url }, 'mqtt connected'));
    this.client.on('error', (err) => {
      this.lastProblem = err.message;
      this.log.warn({ err: err.message }, 'mqtt error');
    });
    this.client.on('offline', () => (this.lastProblem = 'broker unreachable'));
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return;
    await Promise.race([c.endAsync(), new Promise((r) => setTimeout(r, 2000))]);
    if (!c.disconnected) await c.endAsync(true).catch(() => undefined);
  }

  /**
   * Publishes the batch pipelined across subjects but with at most one unacknowledged PUBLISH per
   * subject: a PUBACK may refuse (dead letter) or fail (retry) event N, and event N+1 of the same
   * subject must then not reach the central side before it (or past its dead letter). So the next
   * event of a subject is published only once the previous one's PUBACK succeeded; after a failure
   * nothing more of that subject is published in this batch (those events stay pending, and the
   * store holds them back behind a dead letter). Events without a subject are fully pipelined.
   */
  async send(batch: OutboundEvent[], signal: AbortSignal): Promise<SendResult> {
    const c = this.client;
    // Publishing while offline would queue inside MQTT.js without bound; the outbox is the queue.
    if (!c || !c.connected) return { delivered: [], retry: { error: `mqtt: ${this.lastProblem}` } };
    if (batch.length === 0) return { delivered: [] };
    if (signal.aborted) return { delivered: [], retry: { error: 'stopped' } };
    const delivered: number[] = [];
    const dead: { seq: number; error: string }[] = [];
    let retryError: string | null = null;
    /** Events not published because an earlier event of their subject became a dead letter in this batch. */
    let heldBehindDead = 0;
    /** Events not settled yet: awaiting their PUBACK or waiting for the previous event of their subject. */
    let open = batch.length;
    let closed = false;
    /** Per subject with a PUBLISH awaiting its PUBACK: the later events of that subject, in order. */
    const waiting = new Map<string, OutboundEvent[]>();
    /** Subjects whose event failed in this batch: true when it became a dead letter. Nothing more of them is published. */
    const failed = new Map<string, boolean>();
    await new Promise<void>((resolve) => {
      const finish = () => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const timer = setTimeout(() => {
        retryError ??= `mqtt: no PUBACK within ${this.opts.ackTimeoutMs} ms`;
        finish();
      }, this.opts.ackTimeoutMs);
      const onAbort = () => {
        retryError ??= 'stopped';
        finish();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settled = (n: number) => {
        open -= n;
        if (open === 0) finish();
      };
      const publish = (e: OutboundEvent) => {
        const topic = topicFor(this.opts.topicPrefix, this.opts.site, this.opts.agentId, e.type);
        c.publish(topic, e.json, { qos: 1, properties: { contentType: 'application/cloudevents+json' } }, (err) => {
          // Acks that arrive after the timeout or a stop are ignored: those events are re-sent (same id).
          if (closed) return;
          const rest = e.subject === null ? undefined : waiting.get(e.subject);
          if (!err) {
            delivered.push(e.seq);
            const next = rest?.shift();
            if (next) publish(next);
            else if (e.subject !== null) waiting.delete(e.subject);
            settled(1);
            return;
          }
          const rc = (err as { code?: number }).code;
          const skipped = rest?.length ?? 0;
          const refused = rc !== undefined && PUBACK_REFUSALS[rc] !== undefined;
          if (e.subject !== null) {
            waiting.delete(e.subject);
            failed.set(e.subject, refused);
          }
          if (refused) {
            dead.push({ seq: e.seq, error: `mqtt PUBACK 0x${rc.toString(16)} ${PUBACK_REFUSALS[rc]}` });
            heldBehindDead += skipped;
          } else retryError ??= `mqtt: ${err.message}`;
          settled(1 + skipped);
        });
      };
      for (const e of batch) {
        if (closed) break;
        if (e.subject === null) {
          publish(e);
          continue;
        }
        const refused = failed.get(e.subject);
        if (refused !== undefined) {
          // Only when a PUBACK callback ran synchronously: the subject already failed in this batch.
          if (refused) heldBehindDead++;
          settled(1);
          continue;
        }
        const rest = waiting.get(e.subject);
        if (rest) rest.push(e);
        else {
          waiting.set(e.subject, []);
          publish(e);
        }
      }
    });
    const result: SendResult = { delivered: [...delivered], dead: [...dead] };
    if (retryError !== null || delivered.length + dead.length + heldBehindDead < batch.length) result.retry = { error: retryError ?? 'mqtt: not all events acknowledged' };
    return result;
  }
}
