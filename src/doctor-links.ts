/**
 * `hcc-agent doctor`, second half: whether the links the config names answer from this machine (a
 * kiosk's queue host, the central system's events URL) and, over HTTPS, whether their certificates
 * are trusted with the configured CA file. An installer without internet can tell a wrong address,
 * a closed firewall, a refused token and a missing CA apart before the agent ever runs.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch } from 'undici';
import type { Config } from './config/schema.ts';
import type { Finding } from './doctor.ts';

const TIMEOUT_MS = 3000;
/** Node's names for certificate verification failures (self-signed, unknown issuer, wrong name, expired). */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

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

async function probe(p: Probe): Promise<Finding> {
  const warn = (message: string): Finding => ({ level: 'warn', area: p.area, message: `${p.what} ${p.url}: ${message}` });
  let ca: string[] | undefined;
  if (p.caFile) {
    try {
      ca = [...rootCertificates, readFileSync(p.caFile, 'utf8')];
    } catch (err) {
      return warn(`cannot read ${p.caKey} "${p.caFile}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  const dispatcher = new Agent({ connect: { timeout: TIMEOUT_MS, ...(ca ? { ca } : {}) } });
  try {
    const res = await fetch(p.url, { headers: p.token ? { authorization: `Bearer ${p.token}` } : {}, signal: AbortSignal.timeout(TIMEOUT_MS), dispatcher });
    await res.body?.cancel();
    if (p.token !== undefined && (res.status === 401 || res.status === 403)) return warn(`answers but refuses the token (HTTP ${res.status}); check the token and its scope`);
    const secure = p.url.startsWith('https:') ? ', certificate trusted' : '';
    return { level: 'ok', area: p.area, message: `${p.what} ${p.url} answers (HTTP ${res.status}${secure})` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const code = e.cause?.code ?? (e.name === 'TimeoutError' ? 'no answer within 3 s' : (e.cause?.message ?? e.message));
    if (CERT_ERROR.test(code)) return warn(`certificate not trusted (${code}); put its CA certificate in ${p.caKey}`);
    return warn(`unreachable (${code}); check the address, the cable or Wi-Fi and the firewall`);
  } finally {
    // destroy, not close: close() would wait on a server that took the connection and went silent.
    await dispatcher.destroy().catch(() => undefined);
  }
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
  return Promise.all(probes.map((p) => (isHttpUrl(p.configured) ? probe(p) : { level: 'warn' as const, area: p.area, message: `${p.urlKey} "${p.configured}" is not an http:// or https:// address (e.g. http://10.0.0.5:7420)` })));
}

function isHttpUrl(s: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}
