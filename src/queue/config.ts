/** Config section `queue`: services, counters and this agent's role. Owned by the queue. */
import Type from 'typebox';
import { key, section, item } from '../config/key.ts';

const ServiceItem = item(
  { title: 'Service', description: 'A service citizens take tickets for.' },
  {
    id: key(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' }), { title: 'Id', description: 'Service id used in the API.', default: '' }),
    name: key(Type.String({ minLength: 1, maxLength: 120 }), { title: 'Name (Vietnamese)', description: 'Shown on the kiosk and the ticket.', default: '' }),
    nameEn: key(Type.String({ maxLength: 120 }), { title: 'Name (English)', description: 'Shown when the kiosk is switched to English.', default: '' }),
    prefix: key(Type.String({ minLength: 1, maxLength: 2, pattern: '^[A-Z]{1,2}$' }), { title: 'Ticket prefix', description: 'Letter(s) before the number, e.g. A for A001.', default: 'A' }),
  },
);

const CounterItem = item(
  { title: 'Counter', description: 'A counter (quầy) where a clerk calls tickets.' },
  {
    id: key(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' }), { title: 'Id', description: 'Counter id, e.g. 3.', default: '' }),
    name: key(Type.String({ minLength: 1, maxLength: 64 }), { title: 'Name', description: 'Shown on the board, e.g. Quầy 3.', default: '' }),
    services: key(Type.Array(Type.String()), { title: 'Services', description: 'Ids of the services this counter serves.', default: [] }),
  },
);

export const QueueSection = section(
  { title: 'Queue', description: 'The centre queue: services, counters, and whether this agent numbers tickets.' },
  {
    role: key(Type.Union([Type.Literal('host'), Type.Literal('client')]), {
      title: 'Role',
      description: 'host numbers tickets for the site; client asks the host at hostUrl.',
      default: 'host',
    }),
    services: key(Type.Array(ServiceItem), { title: 'Services', description: 'Services offered.', default: [] }),
    counters: key(Type.Array(CounterItem), { title: 'Counters', description: 'Counters of the site.', default: [] }),
  },
);
