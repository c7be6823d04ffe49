/**
 * MQTT transport (MQTT.js, MQTT 5): each event is published with QoS 1 as a structured CloudEvent
 * to `<topicPrefix>/<site>/<agent>/events/<type>` over a persistent session with a stable client
 * id; an event counts as delivered when its PUBACK arrives. Scaling to a province is the broker
 * cluster's job (docs/central.md), never this agent's.
 */
import type { MqttClient, IClientOptions } from 'mqtt';
import { lazyRequire } from '../../lazy.ts';

const mqttLib = lazyRequire<typeof import('mqtt')>('mqtt');
import type { Logger } from 'pino';
import type { OutboundEvent } from '../store.ts';
import { readCaFile, type SendResult, type Transport } from '../relay.ts';

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

export class MqttTransport implements Transport {
  readonly name = 'mqtt';
  private client: MqttClient | null = null;
  private lastProblem = 'not connected yet';
  private readonly ca: Buffer | undefined;

  /** Throws TransportConfigError when the CA file cannot be read. */
  constructor(
    private readonly opts: MqttTransportOptions,
    private readonly log: Logger,
  ) {
    this.ca = readCaFile(opts.caFile, 'central.mqtt.caFile');
  }

  start(): void {
    const o: IClientOptions = {
      clientId: this.opts.clientId || `hcc-${this.opts.site}-${this.opts.agentId}`,
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

  async send(batch: OutboundEvent[], signal: AbortSignal): Promise<SendResult> {
    const c = this.client;
    // Publishing while offline would queue inside MQTT.js without bound; the outbox is the queue.
    if (!c || !c.connected) return { delivered: [], retry: { error: `mqtt: ${this.lastProblem}` } };
    if (batch.length === 0) return { delivered: [] };
    const delivered: number[] = [];
    const dead: { seq: number; error: string }[] = [];
    let retryError: string | null = null;
    let open = batch.length;
    await new Promise<void>((resolve) => {
      const finish = () => {
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
      for (const e of batch) {
        const topic = topicFor(this.opts.topicPrefix, this.opts.site, this.opts.agentId, e.type);
        c.publish(topic, e.json, { qos: 1, properties: { contentType: 'application/cloudevents+json' } }, (err) => {
          if (!err) delivered.push(e.seq);
          else {
            const rc = (err as { code?: number }).code;
            if (rc !== undefined && PUBACK_REFUSALS[rc]) dead.push({ seq: e.seq, error: `mqtt PUBACK 0x${rc.toString(16)} ${PUBACK_REFUSALS[rc]}` });
            else retryError ??= `mqtt: ${err.message}`;
          }
          if (--open === 0) finish();
        });
      }
    });
    // Acks that arrive after the timeout are ignored: those events are re-sent (same id).
    const result: SendResult = { delivered: [...delivered], dead: [...dead] };
    if (retryError !== null || delivered.length + dead.length < batch.length) result.retry = { error: retryError ?? 'mqtt: not all events acknowledged' };
    return result;
  }
}
