/** Config section `central`: where events are forwarded. Owned by the outbox. */
import Type from 'typebox';
import { key, section } from '../config/key.ts';

export const CentralSection = section(
  { title: 'Central system', description: 'The central one-door system that receives every event through the outbox.' },
  {
    transport: key(Type.Union([Type.Literal('none'), Type.Literal('http'), Type.Literal('mqtt')]), {
      title: 'Transport',
      description: 'none (events stay in the local outbox), http (POST CloudEvents) or mqtt (publish to a broker).',
      default: 'none',
    }),
    http: section(
      { title: 'HTTP transport', description: 'CloudEvents over HTTPS to the central API.' },
      {
        url: key(Type.String(), { title: 'Events URL', description: 'Where event batches are POSTed.', default: '' }),
        statusUrl: key(Type.String(), { title: 'Dossier status URL', description: 'URL template with {code} for dossier status look-ups.', default: '' }),
        token: key(Type.String(), { title: 'Bearer token', description: 'Sent as Authorization: Bearer <token>.', default: '' }),
        hmacSecret: key(Type.String(), { title: 'HMAC secret', description: 'Secret for the HMAC-SHA256 request signature.', default: '' }),
      },
    ),
    mqtt: section(
      { title: 'MQTT transport', description: 'CloudEvents published with QoS 1 to an MQTT broker.' },
      {
        url: key(Type.String(), { title: 'Broker URL', description: 'mqtt:// or mqtts:// URL of the broker.', default: 'mqtt://127.0.0.1:1883' }),
        topicPrefix: key(Type.String({ minLength: 1 }), { title: 'Topic prefix', description: 'Topics are <prefix>/<site>/<agent>/events/<type>.', default: 'hcc' }),
      },
    ),
  },
);
