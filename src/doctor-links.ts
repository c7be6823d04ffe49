/**
 * `hcc-agent doctor`, second half: whether the links the config names answer from this machine (a
 * kiosk's queue host, the central system's events URL or MQTT broker) and, over TLS, whether their
 * certificates are trusted with the configured CA file. An installer without internet can tell a
 * wrong address, a closed firewall, refused credentials and a missing CA apart before the agent runs.
 */
import { Agent, fetch } from 'undici';
import type { Config } from './config/schema.ts';
import type { Finding } from './doctor.ts';
import { lazyRequire } from '../drivers/support/lazy.ts';
import { CaFileError, isCertificateError, readCaFile, withSystemRoots } from './tls.ts';
import { mqttClientId } from './outbox/transports/mqtt.ts';

const TIMEOUT_MS = 3000;
interface Probe {
  area: string;
  what: string;
  url: string;
  /** The config key of the CA file, named in the fix. */
  caKey: string;
  caFile: string;
  /** The config key holding the address, and its value, named when it is not an address. */
  urlKey: string;
  configured: string;
  /** Sent as a bearer token; a 401/403 then means the token is wrong, not the link. */
  token?: string;
}

/** Why the CA file the agent would use cannot be used, worded for the installer. */
function caProblem(err: unknown, key: string, path: string): string {
  if (!(err instanceof CaFileError)) throw err;
  return err.readError ? `cannot read ${key} "${path}" (${err.readError})` : err.message;
}

async function probe(p: Probe): Promise<Finding> {
  const warn = (message: string): Finding => ({ level: 'warn', area: p.area, message: `${p.what} ${p.url}: ${message}` });
  let ca: Buffer | undefined;
  try {
    ca = readCaFile(p.caFile, p.caKey);
  } catch (err) {
    return warn(caProblem(err, p.caKey, p.caFile));
  }
  const dispatcher = new Agent({ connect: { timeout: TIMEOUT_MS, ...(ca ? { ca: withSystemRoots(ca) } : {}) } });
  try {
    const res = await fetch(p.url, { headers: p.token ? { authorization: `Bearer ${p.token}` } : {}, signal: AbortSignal.timeout(TIMEOUT_MS), dispatcher });
    await res.body?.cancel();
    if (p.token !== undefined && (res.status === 401 || res.status === 403)) return warn(`answers but refuses the token (HTTP ${res.status}); check the token and its scope`);
    const secure = p.url.startsWith('https:') ? ', certificate trusted' : '';
    return { level: 'ok', area: p.area, message: `${p.what} ${p.url} answers (HTTP ${res.status}${secure})` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const code = e.cause?.code ?? (e.name === 'TimeoutError' ? 'no answer within 3 s' : (e.cause?.message ?? e.message));
    if (isCertificateError(code)) return warn(`certificate not trusted (${code}); put its CA certificate in ${p.caKey}`);
    return warn(`unreachable (${code}); check the address, the cable or Wi-Fi and the firewall`);
  } finally {
    // destroy, not close: close() would wait on a server that took the connection and went silent.
    await dispatcher.destroy().catch(() => undefined);
  }
}

const mqttLib = lazyRequire<typeof import('mqtt')>('mqtt');

/** MQTT 5 CONNACK reason codes that mean the broker refused who we are (MQTT 5.0 §3.2.2.2). */
const MQTT_REFUSED: Record<number, string> = { 0x85: 'client identifier not valid', 0x86: 'bad user name or password', 0x87: 'not authorized', 0x8a: 'banned' };

/**
 * Connects to the broker as the agent would (MQTT 5, its user and CA) and disconnects at once. A
 * clean session under a client id of its own: reusing the agent's id would throw the running agent
 * off the broker and could end its persistent session.
 */
async function probeMqtt(config: Config): Promise<Finding> {
  const m = config.central.mqtt;
  const warn = (message: string): Finding => ({ level: 'warn', area: 'central', message: `MQTT broker ${m.url}: ${message}` });
  let ca: Buffer | undefined;
  try {
    ca = readCaFile(m.caFile, 'central.mqtt.caFile');
  } catch (err) {
    return warn(caProblem(err, 'central.mqtt.caFile', m.caFile));
  }
  if (!isUrl(m.url, ['mqtt:', 'mqtts:'])) return { level: 'warn', area: 'central', message: `central.mqtt.url "${m.url}" is not an mqtt:// or mqtts:// address (e.g. mqtts://broker.example.gov.vn:8883)` };
  const clientId = `${mqttClientId({ clientId: m.clientId, site: config.agent.site, agentId: config.agent.id })}-doctor`.slice(0, 128);
  return new Promise<Finding>((resolve) => {
    const client = mqttLib().connect(m.url, {
      clientId,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: TIMEOUT_MS,
      ...(m.username ? { username: m.username, password: m.password } : {}),
      ...(ca ? { ca } : {}),
    });
    const done = (f: Finding) => {
      clearTimeout(timer);
      client.end(true);
      resolve(f);
    };
    const timer = setTimeout(() => done(warn('unreachable (no answer within 3 s); check the address, the cable or Wi-Fi and the firewall')), TIMEOUT_MS + 500);
    client.once('connect', () => done({ level: 'ok', area: 'central', message: `MQTT broker ${m.url} accepts this agent (MQTT 5${m.url.startsWith('mqtts:') ? ', certificate trusted' : ''})` }));
    client.once('error', (err: Error & { code?: string | number }) => {
      const code = err.code;
      if (typeof code === 'number' && MQTT_REFUSED[code]) return done(warn(`refuses this agent (${MQTT_REFUSED[code]}); check central.mqtt.username and password`));
      const c = String(code ?? err.message);
      if (isCertificateError(c)) return done(warn(`certificate not trusted (${c}); put its CA certificate in central.mqtt.caFile`));
      done(warn(`unreachable (${c}); check the address, the cable or Wi-Fi and the firewall`));
    });
  });
}

/** One finding per link the config names; none for a desk with no queue host and no central system. */
export async function linkFindings(config: Config): Promise<Finding[]> {
  const probes: Probe[] = [];
  const q = config.queue;
  if (q.role === 'client') {
    const base = q.hostUrl.replace(/\/+$/, '');
    // The board state needs the queue scope, so the answer also says whether the token is right.
    probes.push({ area: 'queue', what: 'queue host', url: `${base}/api/v1/queue/state`, urlKey: 'queue.hostUrl', configured: q.hostUrl, caKey: 'queue.client.caFile', caFile: q.client.caFile, token: q.token });
  }
  const c = config.central;
  if (c.transport === 'http' && c.http.url) probes.push({ area: 'central', what: 'central events URL', url: c.http.url, urlKey: 'central.http.url', configured: c.http.url, caKey: 'central.http.caFile', caFile: c.http.caFile });
  const mqtt = c.transport === 'mqtt' ? [probeMqtt(config)] : [];
  return Promise.all([...mqtt, ...probes.map((p) => (isUrl(p.configured, ['http:', 'https:']) ? probe(p) : { level: 'warn' as const, area: p.area, message: `${p.urlKey} "${p.configured}" is not an http:// or https:// address (e.g. http://10.0.0.5:7420)` }))]);
}

function isUrl(s: string, schemes: string[]): boolean {
  try {
    return schemes.includes(new URL(s).protocol);
  } catch {
    return false;
  }
}
