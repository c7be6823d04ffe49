/** Config section `queue`: services, counters, this agent's role and the queue's policies. Owned by the queue. */
import Type, { type Static } from 'typebox';
import { key, section, item } from '../../drivers/support/config-key.ts';
import { weeklySession } from '../config/sessions.ts';

const Id = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' });

const ServiceItem = item(
  { title: 'Service', description: 'A service citizens take tickets for.' },
  {
    id: key(Id, { title: 'Id', description: 'Service id used in the API.', default: '' }),
    name: key(Type.String({ minLength: 1, maxLength: 120 }), { title: 'Name (Vietnamese)', description: 'Shown on the kiosk and the ticket.', default: '' }),
    nameEn: key(Type.String({ maxLength: 120 }), { title: 'Name (English)', description: 'Shown when the kiosk is switched to English.', default: '' }),
    prefix: key(Type.String({ minLength: 1, maxLength: 2, pattern: '^[A-Z]{1,2}$' }), { title: 'Ticket prefix', description: 'Letter(s) before the number, e.g. A for A001. Unique per site.', default: 'A' }),
    dailyLimit: key(Type.Integer({ minimum: 0, maximum: 99999 }), { title: 'Daily limit', description: 'Most tickets of this service per day; 0 = queue.dailyLimit applies.', default: 0 }),
  },
);

const CounterItem = item(
  { title: 'Counter', description: 'A counter (quầy) where a clerk calls tickets.' },
  {
    id: key(Id, { title: 'Id', description: 'Counter id, e.g. 3.', default: '' }),
    name: key(Type.String({ minLength: 1, maxLength: 64 }), { title: 'Name', description: 'Shown on the board, e.g. Quầy 3.', default: '' }),
    services: key(Type.Array(Type.String()), { title: 'Services', description: 'Ids of the services this counter serves.', default: [] }),
    spoken: key(Type.String({ maxLength: 64 }), { title: 'Spoken number', description: 'What the voice call says after "đến quầy số"; empty = the counter id.', default: '' }),
  },
);

const HoursItem = weeklySession(
  { title: 'Opening session', description: 'A period on some weekdays when tickets are issued, in the agent time zone.' },
  { from: 'Opening time HH:MM.', to: 'Closing time HH:MM (tickets are refused from this minute).' },
);

const Label = {
  name: key(Type.String({ minLength: 1, maxLength: 80 }), { title: 'Label (Vietnamese)', description: 'Shown first.', default: '' }),
  nameEn: key(Type.String({ maxLength: 80 }), { title: 'Label (English)', description: 'Shown second.', default: '' }),
};

const PriorityCategory = item(
  { title: 'Priority category', description: 'Who may take a priority ticket.' },
  { id: key(Id, { title: 'Id', description: 'Sent as `priority` when issuing.', default: '' }), ...Label },
);

const RatingLevel = item(
  { title: 'Rating level', description: 'One answer on the satisfaction tablet.' },
  {
    id: key(Id, { title: 'Id', description: 'Sent as `level` when rating.', default: '' }),
    score: key(Type.Integer({ minimum: -100, maximum: 100 }), { title: 'Score', description: 'Number used by reports (higher = better).', default: 0 }),
    ...Label,
  },
);

export const QueueSection = section(
  { title: 'Queue', description: 'The centre queue: services, counters, and whether this agent numbers tickets.' },
  {
    role: key(Type.Union([Type.Literal('host'), Type.Literal('client')]), {
      title: 'Role',
      description: 'host numbers tickets for the site (one per site); client forwards every queue request to the host at hostUrl.',
      default: 'host',
    }),
    hostUrl: key(Type.String({ maxLength: 512 }), { title: 'Host URL', description: 'Client role: base URL of the queue host agent, e.g. http://10.0.0.5:7420. The host listens on the LAN (agent.listen.host) and lists that name in security.allowedHosts.', default: '' }),
    token: key(Type.String({ maxLength: 256 }), { title: 'Host token', description: 'Client role: bearer token with the queue scope on the host (one per kiosk: the host rate-limits per token).', default: '' }),
    services: key(Type.Array(ServiceItem), { title: 'Services', description: 'Services offered.', default: [] }),
    counters: key(Type.Array(CounterItem), { title: 'Counters', description: 'Counters of the site.', default: [] }),
    openingHours: key(Type.Array(HoursItem), {
      title: 'Opening hours',
      description: 'Sessions when tickets are issued (e.g. 07:30–11:30 and 13:30–17:00, Monday–Friday). Empty = always open.',
      default: [],
    }),
    dailyLimit: key(Type.Integer({ minimum: 1, maximum: 99999 }), {
      title: 'Daily limit',
      description: 'Most tickets per service per day. Numbers have 3 digits, more when the limit needs them.',
      default: 999,
    }),
    priority: section(
      { title: 'Priority', description: 'Tickets for the elderly, people with disabilities, pregnant women, war invalids…' },
      {
        policy: key(Type.Union([Type.Literal('strict'), Type.Literal('interleaved')]), {
          title: 'Policy',
          description: 'strict: a waiting priority ticket is always called first; interleaved: one priority ticket after every N normal ones at a counter.',
          default: 'strict',
        }),
        every: key(Type.Integer({ minimum: 1, maximum: 100 }), { title: 'N', description: 'interleaved: normal tickets called between two priority tickets.', default: 3 }),
        categories: key(Type.Array(PriorityCategory), {
          title: 'Categories',
          description: 'Priority categories offered on the kiosk.',
          default: [
            { id: 'elderly', name: 'Người cao tuổi', nameEn: 'Elderly' },
            { id: 'disability', name: 'Người khuyết tật', nameEn: 'Person with disability' },
            { id: 'pregnant', name: 'Phụ nữ mang thai', nameEn: 'Pregnant woman' },
            { id: 'war-invalid', name: 'Thương binh, người có công', nameEn: 'War invalid, person with merit' },
          ],
        }),
      },
    ),
    ratings: section(
      { title: 'Satisfaction rating', description: 'The rating tablet after a ticket is completed.' },
      {
        levels: key(Type.Array(RatingLevel, { minItems: 2 }), {
          title: 'Levels',
          description: 'Answers offered, best first.',
          default: [
            { id: 'very-satisfied', score: 2, name: 'Rất hài lòng', nameEn: 'Very satisfied' },
            { id: 'satisfied', score: 1, name: 'Hài lòng', nameEn: 'Satisfied' },
            { id: 'unsatisfied', score: -1, name: 'Không hài lòng', nameEn: 'Not satisfied' },
          ],
        }),
        windowMinutes: key(Type.Integer({ minimum: 1, maximum: 1440 }), {
          title: 'Rating window',
          description: 'A completed ticket can be rated on the counter tablet for this many minutes.',
          default: 15,
        }),
      },
    ),
    printing: section(
      { title: 'Ticket printing', description: 'Printing the queue-ticket when a ticket is issued on this agent.' },
      {
        enabled: key(Type.Boolean(), { title: 'Print tickets', description: 'Print a ticket on issue. The ticket is issued even when printing fails.', default: true }),
        printer: key(Type.String({ maxLength: 64 }), { title: 'Ticket printer', description: 'Device id of the ticket printer; empty = the printing default.', default: '' }),
      },
    ),
    client: section(
      { title: 'Client link', description: 'Client role: how the kiosk keeps issuing when the host is unreachable.' },
      {
        timeoutMs: key(Type.Integer({ minimum: 100, maximum: 30000 }), { title: 'Request timeout', description: 'Time allowed for a request to the host (ms).', default: 3000 }),
        checkIntervalMs: key(Type.Integer({ minimum: 200, maximum: 600000 }), { title: 'Check interval', description: 'How often the host link is checked and reserved blocks refilled (ms).', default: 5000 }),
        offlineIssue: key(Type.Boolean(), {
          title: 'Issue from reserved blocks',
          description: 'When the host is unreachable, issue numbers from blocks reserved in advance (never a duplicate); they reach the host when it is back.',
          default: true,
        }),
        blockSize: key(Type.Integer({ minimum: 1, maximum: 500 }), { title: 'Block size', description: 'Numbers reserved per service for offline issuing. The host gives them from the top of the day\'s range (A999 down, apart from its own A001 up); they count against the daily limit only once issued.', default: 20 }),
        caFile: key(Type.String({ maxLength: 1024 }), {
          title: 'Host CA file',
          description: 'PEM file with the CA certificate(s) trusted for an https:// host (e.g. the host\'s own self-signed certificate), besides the system ones. Empty = system CAs only.',
          default: '',
        }),
      },
    ),
    voice: section(
      { title: 'Voice call', description: '"Mời công dân có số thứ tự A012 đến quầy số 3" for the board.' },
      {
        enabled: key(Type.Boolean(), { title: 'Enabled', description: 'Produce voice calls.', default: true }),
        engine: key(Type.Union([Type.Literal('espeak'), Type.Literal('clips')]), {
          title: 'Engine',
          description: 'espeak: espeak-ng speech synthesis; clips: recorded WAV clips from clipsDir joined together.',
          default: 'espeak',
        }),
        espeakVoice: key(Type.String({ minLength: 1, maxLength: 32 }), { title: 'espeak-ng voice', description: 'Voice name passed to espeak-ng -v.', default: 'vi' }),
        speed: key(Type.Integer({ minimum: 80, maximum: 400 }), { title: 'Speed', description: 'Words per minute (espeak-ng -s).', default: 140 }),
        clipsDir: key(Type.String({ maxLength: 512 }), {
          title: 'Clips directory',
          description: 'clips engine: intro.wav ("Mời công dân có số thứ tự"), to-counter.wav ("đến quầy số"), 0.wav–9.wav and one WAV per letter (A.wav…), all the same PCM format.',
          default: '',
        }),
      },
    ),
    board: section(
      { title: 'Display board', description: 'What the board shows.' },
      { lastCalls: key(Type.Integer({ minimum: 1, maximum: 50 }), { title: 'Last calls', description: 'Recent calls listed on the board.', default: 8 }) },
    ),
  },
);

export type QueueConfig = Static<typeof QueueSection>;

/** Mistakes the schema cannot see (ids referring to each other): logged at start, the rest of the queue works. */
export function logConfigProblems(cfg: QueueConfig, log: { error(obj: object, msg: string): void }): void {
  const ids = new Set(cfg.services.map((s) => s.id));
  for (const c of cfg.counters) {
    const unknown = c.services.filter((id) => !ids.has(id));
    if (unknown.length) log.error({ counter: c.id, unknown }, 'queue.counters lists services that queue.services does not define; they are never called there');
  }
  if (ids.size !== cfg.services.length) log.error({}, 'queue.services has duplicate ids; the first of each is used');
}
