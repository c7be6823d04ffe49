/**
 * The one config schema. Each section lives here or is imported from the module that owns it;
 * device keys are validated per driver against the schemas in drivers/registry.ts.
 */
import Type, { type Static } from 'typebox';
import { key, section, item } from '../../drivers/support/config-key.ts';
import { DEVICE_TYPES } from '../../drivers/contracts.ts';
import { CentralSection } from '../outbox/config.ts';
import { QueueSection } from '../queue/config.ts';
import { PrintingSection } from '../printing/config.ts';
import { DigitiseSection } from '../digitise/config.ts';
import { BarcodeSection } from '../barcode/config.ts';
import { ProceduresSection } from '../procedures/config.ts';
import { CalendarSection } from '../calendar/config.ts';
import { PaymentsSection } from '../payments/config.ts';

export const SCOPES = ['print', 'scan', 'queue', 'dossier', 'admin', 'board'] as const;
export type Scope = (typeof SCOPES)[number];

const AgentSection = section(
  { title: 'Agent', description: 'Who this agent is and where it listens.' },
  {
    id: key(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), {
      title: 'Agent id',
      description: 'Unique id of this desk or kiosk within the site, e.g. counter-03. Part of every event source.',
      default: 'desk-01',
    }),
    site: key(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), {
      title: 'Site id',
      description: 'Id of the one-stop centre, e.g. hcc-demo. Events carry source urn:hcc:<site>:<agent id>.',
      default: 'hcc-demo',
    }),
    listen: section(
      { title: 'Listen address', description: 'Where the HTTP API listens. Loopback unless LAN clients (boards, client kiosks) need it.' },
      {
        host: key(Type.String({ minLength: 1 }), { title: 'Host', description: 'Interface address to bind.', default: '127.0.0.1' }),
        port: key(Type.Integer({ minimum: 0, maximum: 65535 }), { title: 'Port', description: 'TCP port (0 picks a free one).', default: 7420 }),
      },
    ),
    dataDir: key(Type.String({ minLength: 1 }), {
      title: 'Data directory',
      description: 'Holds the SQLite database, spool previews and scan files. Relative paths are from the working directory.',
      default: './data',
    }),
    tls: section(
      { title: 'TLS', description: 'HTTPS certificate for an agent listening beyond loopback (boards and client kiosks on the LAN).' },
      {
        cert: key(Type.String(), { title: 'Certificate file', description: 'PEM certificate (chain) file; empty = plain HTTP.', default: '' }),
        key: key(Type.String(), { title: 'Key file', description: 'PEM private key file.', default: '' }),
      },
    ),
    minFreeDiskBytes: key(Type.Integer({ minimum: 0 }), {
      title: 'Free disk space wanted',
      description: 'Health turns degraded when the data disk has less free space than this.',
      default: 209715200,
    }),
    timezone: key(Type.String(), {
      title: 'Time zone',
      description: 'Time zone in which times are shown and printed and the queue resets daily. Times are stored in UTC.',
      default: 'Asia/Ho_Chi_Minh',
    }),
  },
);

const LogSection = section(
  { title: 'Logging', description: 'pino JSON logs on standard output (journald under systemd). Personal data is masked.' },
  {
    level: key(Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]), {
      title: 'Log level',
      description: 'Lowest level written.',
      default: 'info',
    }),
  },
);

const TokenItem = item(
  { title: 'Token', description: 'A bearer token accepted on /api/v1 with the scopes it grants.' },
  {
    name: key(Type.String({ minLength: 1, maxLength: 64 }), { title: 'Name', description: 'Who holds the token (shown in the audit log).', default: '' }),
    token: key(Type.String({ minLength: 8, maxLength: 256 }), { title: 'Token', description: 'The secret, at least 8 characters.', default: '' }),
    scopes: key(Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { uniqueItems: true }), {
      title: 'Scopes',
      description: `What the token may do: ${SCOPES.join(', ')}.`,
      default: [],
    }),
  },
);

const SecuritySection = section(
  { title: 'Security', description: 'Who may call the local API: Host and Origin checks against DNS rebinding and cross-site requests, and bearer tokens.' },
  {
    allowedHosts: key(Type.Array(Type.String({ minLength: 1, maxLength: 253 })), {
      title: 'Allowed Host names',
      description: 'Host header values accepted besides localhost, 127.0.0.1 and [::1] (with or without port). Anything else is refused (DNS rebinding).',
      default: [],
    }),
    allowedOrigins: key(Type.Array(Type.String({ minLength: 1, maxLength: 512 })), {
      title: 'Allowed browser origins',
      description: 'Origins (scheme://host[:port]) of web apps allowed to call the API cross-origin, with a bearer token. The agent\'s own origin is always allowed.',
      default: [],
    }),
    tokens: key(Type.Array(TokenItem), {
      title: 'Bearer tokens',
      description: 'Tokens accepted in Authorization: Bearer <token>. Required from allowed foreign origins and from every LAN client. Prefer `hcc-agent token add`, which stores only a hash.',
      default: [],
    }),
    allowInsecureLan: key(Type.Boolean(), {
      title: 'Allow plain HTTP on the LAN',
      description: 'Start without TLS although agent.listen.host is not loopback. Tokens then cross the LAN in clear text: only for an isolated network.',
      default: false,
    }),
    keyFile: key(Type.String(), {
      title: 'Data key file',
      description: 'AES-256 key encrypting personal data at rest (scan files, personal columns). Kept outside the data dir, created at first start with mode 0600. Empty = ~/.config/hcc-agent/<site>-<agent>.key.',
      default: '',
    }),
    personalDataDays: key(Type.Integer({ minimum: 1, maximum: 3650 }), {
      title: 'Personal data retention (days)',
      description: 'An applicant name kept at this desk to print the result slip is erased once the result is returned, or after this many days.',
      default: 180,
    }),
    centralJwt: section(
      { title: 'Central-signed tokens', description: 'Short-lived JWTs signed by the central system (EdDSA/Ed25519 or ES256), bound to this agent (aud = urn:hcc:<site>:<agent>), single use.' },
      {
        publicKey: key(Type.String(), { title: 'Public key', description: 'PEM (SPKI) public key of the central system, or a path to it. Empty disables this mode.', default: '' }),
        issuer: key(Type.String(), { title: 'Issuer', description: 'Expected iss claim; empty accepts any issuer.', default: '' }),
        maxLifetimeSeconds: key(Type.Integer({ minimum: 10, maximum: 3600 }), { title: 'Longest lifetime', description: 'Tokens valid for longer than this (exp − iat, or exp − now) are refused, and so are tokens issued more than a minute ahead of the desk clock.', default: 300 }),
      },
    ),
    rateLimit: section(
      { title: 'Rate limits', description: 'Requests per token (or per address without a token). Loopback callers without a token — the desk itself — are not limited.' },
      {
        max: key(Type.Integer({ minimum: 1 }), { title: 'Requests per window', description: 'Most requests one token or address may make per window.', default: 600 }),
        windowMs: key(Type.Integer({ minimum: 1000 }), { title: 'Window', description: 'Window length in milliseconds.', default: 60000 }),
        refusedMax: key(Type.Integer({ minimum: 1 }), { title: 'Refusals per window', description: 'Most refused requests (unknown or malformed token, missing token) one address may make per window; past it the address gets 429 before any token is checked.', default: 20 }),
      },
    ),
  },
);

const HttpSection = section(
  { title: 'HTTP limits', description: 'Request size and timeouts, set explicitly.' },
  {
    bodyLimit: key(Type.Integer({ minimum: 1024 }), { title: 'Body limit', description: 'Largest request body in bytes for ordinary routes (upload routes set their own).', default: 262144 }),
    requestTimeoutMs: key(Type.Integer({ minimum: 1000 }), { title: 'Request timeout', description: 'Whole-request timeout in milliseconds.', default: 30000 }),
    headersTimeoutMs: key(Type.Integer({ minimum: 1000 }), { title: 'Headers timeout', description: 'Time allowed to receive request headers (slowloris guard).', default: 10000 }),
    keepAliveTimeoutMs: key(Type.Integer({ minimum: 100 }), { title: 'Keep-alive timeout', description: 'Idle keep-alive connection timeout.', default: 5000 }),
    maxEventLoopDelayMs: key(Type.Integer({ minimum: 0 }), { title: 'Event loop delay limit', description: 'Above this event loop delay the agent answers 503 with Retry-After (0 = off). High enough that a slow kiosk PC rendering a receipt is not mistaken for a flood.', default: 2000 }),
    maxRssBytes: key(Type.Integer({ minimum: 0 }), { title: 'Memory limit', description: 'Above this resident memory the agent answers 503 with Retry-After (0 = off), while it holds that memory: once its heap and buffers are back under half this, the guard lifts even if freed memory stays resident. /health and the pages are always answered.', default: 1073741824 }),
  },
);

const DeviceItem = Type.Object(
  {
    id: key(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), { title: 'Device id', description: 'Unique id used in the API.', default: '' }),
    type: key(Type.Union(DEVICE_TYPES.map((t) => Type.Literal(t))), { title: 'Device family', description: DEVICE_TYPES.join(' | '), default: 'printer' }),
    driver: key(Type.String({ minLength: 1 }), { title: 'Driver', description: 'Driver name within the family; see drivers/registry.ts.', default: 'simulated' }),
  },
  { additionalProperties: true, title: 'Device', description: 'One device; the other keys depend on the driver (see the driver reference).' },
);

export const ConfigSchema = Type.Object(
  {
    agent: AgentSection,
    log: LogSection,
    security: SecuritySection,
    http: HttpSection,
    central: CentralSection,
    devices: key(Type.Array(DeviceItem), {
      title: 'Devices',
      description: 'Hardware at this desk. Each item names its family (type) and driver; the driver defines the remaining keys.',
      default: [],
    }),
    queue: QueueSection,
    printing: PrintingSection,
    digitise: DigitiseSection,
    barcode: BarcodeSection,
    procedures: ProceduresSection,
    calendar: CalendarSection,
    payments: PaymentsSection,
  },
  { additionalProperties: false, title: 'hcc-agent configuration', description: 'YAML configuration of one hcc-agent.' },
);

export type Config = Static<typeof ConfigSchema>;
export type DeviceConfig = Static<typeof DeviceItem> & Record<string, unknown>;
