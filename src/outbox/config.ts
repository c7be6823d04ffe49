/** Config section `central`: where events are forwarded and how the outbox relay behaves. Owned by the outbox. */
import Type, { type Static } from 'typebox';
import { key, section } from '../../drivers/support/config-key.ts';

export const CentralSection = section(
  { title: 'Central system', description: 'The central one-door system that receives every event through the outbox.' },
  {
    transport: key(Type.Union([Type.Literal('none'), Type.Literal('http'), Type.Literal('mqtt')]), {
      title: 'Transport',
      description: 'none (events stay in the local outbox), http (POST CloudEvents) or mqtt (publish to a broker).',
      default: 'none',
    }),
    http: section(
      { title: 'HTTP transport', description: 'CloudEvents over HTTPS to the central API. See docs/central.md for the signature.' },
      {
        url: key(Type.String(), { title: 'Events URL', description: 'Where event batches are POSTed.', default: '' }),
        statusUrl: key(Type.String(), { title: 'Dossier status URL', description: 'URL template with {code} for dossier status look-ups.', default: '' }),
        token: key(Type.String(), { title: 'Bearer token', description: 'Sent as Authorization: Bearer <token>.', default: '' }),
        hmacSecret: key(Type.String(), { title: 'HMAC secret', description: 'Secret for the HMAC-SHA256 request signature (X-HCC-Signature over timestamp + "." + body). Empty = unsigned.', default: '' }),
        mode: key(Type.Union([Type.Literal('batch'), Type.Literal('structured')]), {
          title: 'Content mode',
          description: 'batch: one POST of application/cloudevents-batch+json per batch; structured: one POST of application/cloudevents+json per event, for receivers without batch support.',
          default: 'batch',
        }),
        caFile: key(Type.String(), { title: 'CA file', description: 'PEM file with the CA certificate(s) trusted for the central HTTPS server, besides the system ones. Empty = system CAs only.', default: '' }),
        timeoutMs: key(Type.Integer({ minimum: 100 }), { title: 'Request timeout', description: 'A delivery attempt that takes longer is abandoned and retried.', default: 15000 }),
        statusTimeoutMs: key(Type.Integer({ minimum: 100 }), { title: 'Status look-up timeout', description: 'How long a kiosk waits for the central dossier status before answering with what is known locally.', default: 3000 }),
        statusCacheMs: key(Type.Integer({ minimum: 0 }), { title: 'Status cache', description: 'How long a dossier status answer from the central side is reused.', default: 30000 }),
      },
    ),
    mqtt: section(
      { title: 'MQTT transport', description: 'CloudEvents published with QoS 1 to an MQTT broker (persistent session).' },
      {
        url: key(Type.String(), { title: 'Broker URL', description: 'mqtt:// or mqtts:// URL of the broker.', default: 'mqtt://127.0.0.1:1883' }),
        topicPrefix: key(Type.String({ minLength: 1 }), { title: 'Topic prefix', description: 'Topics are <prefix>/<site>/<agent>/events/<type>.', default: 'hcc' }),
        clientId: key(Type.String({ maxLength: 128 }), { title: 'Client id', description: 'Stable MQTT client id of the persistent session. Empty = hcc-<site>-<agent>.', default: '' }),
        username: key(Type.String(), { title: 'User name', description: 'Broker user name, if the broker wants one.', default: '' }),
        password: key(Type.String(), { title: 'Password', description: 'Broker password.', default: '' }),
        caFile: key(Type.String(), { title: 'CA file', description: 'PEM CA file for mqtts:// brokers with a private CA. Empty = system CAs.', default: '' }),
        ackTimeoutMs: key(Type.Integer({ minimum: 100 }), { title: 'PUBACK timeout', description: 'A batch whose PUBACKs do not all arrive within this time is retried.', default: 15000 }),
      },
    ),
    relay: section(
      { title: 'Relay', description: 'How the outbox is drained: batches, retry backoff.' },
      {
        maxEvents: key(Type.Integer({ minimum: 1, maximum: 10000 }), { title: 'Batch events', description: 'Most events sent in one batch.', default: 500 }),
        maxBytes: key(Type.Integer({ minimum: 1024 }), { title: 'Batch bytes', description: 'Most bytes of event JSON in one batch (one larger event still goes alone).', default: 1048576 }),
        backoffBaseMs: key(Type.Integer({ minimum: 1 }), { title: 'Backoff base', description: 'First retry waits up to this long; doubles per failure (full jitter).', default: 1000 }),
        backoffMaxMs: key(Type.Integer({ minimum: 1 }), { title: 'Backoff cap', description: 'Longest wait between retries (a Retry-After may ask for longer, up to one hour).', default: 300000 }),
      },
    ),
    outbox: section(
      { title: 'Outbox limits', description: 'Disk cap and retention of the local outbox.' },
      {
        maxBytes: key(Type.Integer({ minimum: 1024 }), {
          title: 'Disk cap',
          description: 'Outbox size (stored event JSON) above which health turns degraded and an alarm is raised. New events are still stored; nothing is dropped.',
          default: 524288000,
        }),
        retentionHours: key(Type.Number({ minimum: 0 }), {
          title: 'Retention of delivered events',
          description: 'Delivered events (which may hold personal data) are deleted this many hours after delivery.',
          default: 24,
        }),
      },
    ),
  },
);

export type CentralConfig = Static<typeof CentralSection>;
