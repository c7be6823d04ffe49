/**
 * Local, but not open: Host check (DNS rebinding), Origin check (cross-site requests from any web
 * page the user opens), bearer tokens with scopes, and CORS for the allowed origins.
 * Applied to every route, WebSocket upgrades included, before anything else runs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Scope } from '../config/schema.ts';
import { HttpError } from './errors.ts';
import { tokenHash, type TokenStore } from '../security/tokens.ts';
import { looksLikeJwt, JwtRejected, type CentralJwtVerifier } from '../security/jwt.ts';
import type { RefusalLimiter } from './refusals.ts';

export interface SecurityOptions {
  allowedHosts: string[];
  allowedOrigins: string[];
  tokens: { name: string; token: string; scopes: readonly Scope[] }[];
  /** True when the agent listens beyond loopback: every non-loopback caller needs a token. */
  lanExposed: boolean;
  /** Tokens managed by `hcc-agent token` (hashed in the database). */
  store?: TokenStore;
  /** Short-lived tokens signed by the central system. */
  jwt?: CentralJwtVerifier;
  /** Counts refused tokens per address and answers 429 past its limit. */
  refusals?: RefusalLimiter;
}

export interface Caller {
  /** Token name, `local` for trusted same-machine callers without a token. */
  name: string;
  scopes: readonly Scope[] | 'all';
  origin?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** Scope a bearer token needs for this route; unset = any caller that passed the Host/Origin checks. */
    scope?: Scope;
    /** Route reachable without a token even from the LAN (health only). */
    public?: boolean;
  }
}

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Strips the port: `localhost:7420` → `localhost`, `[::1]:7420` → `[::1]`. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i > 0 && h.indexOf(':') === i ? h.slice(0, i) : h;
}

export function isLoopbackAddress(ip: string | undefined): boolean {
  if (!ip) return false;
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * Whom refusals are counted against: the address; apart from it what pages of other sites send
 * from there, per Origin (which a page cannot forge), so a hostile page open on the desk locks out
 * neither the desk's own callers nor an allowed clerk app in the same browser.
 */
function refusalKey(req: FastifyRequest): string {
  return fromAnotherSite(req) ? `${req.ip} cross-site ${req.headers.origin ?? ''}` : req.ip;
}

/**
 * A browser request made by a page of another site (Fetch Metadata: `Sec-Fetch-Site`; browsers
 * without it still send a Referer on <img>/<script>/no-cors fetch). curl and other tools send
 * neither, and are taken as what they are: programs on this machine.
 * A person following a link to one of the desk's pages is not refused: the page then calls the
 * API same-origin. Links into the API or metrics are, since a GET there may look up or render.
 */
function fromAnotherSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === undefined) {
    const referer = req.headers.referer;
    return referer !== undefined && !sameOrigin(referer, req.headers.host ?? '');
  }
  if (site === 'same-origin' || site === 'none') return false;
  return !(req.headers['sec-fetch-mode'] === 'navigate' && req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/metrics'));
}

function sameOrigin(url: string, host: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}

export class AccessControl {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly tokens: { name: string; hash: Buffer; scopes: readonly Scope[] }[];

  constructor(private readonly opts: SecurityOptions) {
    this.hosts = new Set([...LOCAL_HOSTS, ...opts.allowedHosts.map((h) => hostName(h))]);
    this.origins = new Set(opts.allowedOrigins.map((o) => o.replace(/\/+$/, '').toLowerCase()));
    this.tokens = opts.tokens.map((t) => ({ name: t.name, hash: sha256(t.token), scopes: t.scopes }));
  }

  /** Config tokens by constant-time hash comparison, then stored ones (looked up by hash: that leaks nothing about the secret). */
  private findToken(presented: string): { name: string; scopes: readonly Scope[] } | null {
    const h = sha256(presented);
    let found: { name: string; scopes: readonly Scope[] } | null = null;
    for (const t of this.tokens) if (timingSafeEqual(h, t.hash) && !found) found = t;
    return found ?? this.opts.store?.byHash(tokenHash(presented)) ?? null;
  }

  /** A short-lived token signed by the central system (the only check that has to wait). */
  private async centralToken(req: FastifyRequest, presented: string): Promise<{ name: string; scopes: readonly Scope[] } | null> {
    try {
      return await this.opts.jwt!.verify(presented);
    } catch (err) {
      if (err instanceof JwtRejected) throw this.refused(req, new HttpError(401, 'unauthorized', `Central token refused: ${err.message}`, 'Mã truy cập từ hệ thống trung tâm không hợp lệ'));
      throw err;
    }
  }

  /** The refusal to answer: `err`, or 429 once this caller has been refused too often. */
  private refused(req: FastifyRequest, err: HttpError): HttpError {
    return this.opts.refusals ? this.opts.refusals.refused(refusalKey(req), err) : err;
  }

  private presentedToken(req: FastifyRequest): string | null {
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (!m) throw this.refused(req, new HttpError(401, 'unauthorized', 'Authorization must be "Bearer <token>"', 'Thiếu hoặc sai mã truy cập'));
      return m[1];
    }
    // Browsers cannot set headers on WebSocket upgrades or <img> requests: accept a query token on GET.
    if (req.method === 'GET') {
      const query = req.query as Record<string, unknown> | undefined;
      const q = query?.access_token;
      if (typeof q === 'string' && q) {
        // Consumed here: routes whose query schema allows no extra keys would otherwise refuse it.
        delete query!.access_token;
        return q;
      }
    }
    return null;
  }

  isAllowedOrigin(origin: string): boolean {
    return this.origins.has(origin.toLowerCase());
  }

  /** Refuses a Host this agent does not serve (DNS rebinding) and returns the checked Host. */
  checkHost(req: FastifyRequest): string {
    const host = req.headers.host;
    if (!host || !this.hosts.has(hostName(host))) {
      throw new HttpError(421, 'host-not-allowed', `Host "${host ?? ''}" is not served here`, 'Tên máy chủ không được phép');
    }
    return host;
  }

  /** Decides who the caller is, or throws the refusal. Synchronous unless a central-signed token must be verified. */
  check(req: FastifyRequest): Caller | Promise<Caller> {
    const host = this.checkHost(req);
    const origin = req.headers.origin;
    let foreign = false;
    if (origin !== undefined) {
      const own = origin.toLowerCase() === `http://${host.toLowerCase()}` || origin.toLowerCase() === `https://${host.toLowerCase()}`;
      if (!own) {
        if (!this.isAllowedOrigin(origin)) {
          throw this.refused(req, new HttpError(403, 'origin-not-allowed', `Origin "${origin}" may not call this agent`, 'Trang web này không được phép gọi phần mềm'));
        }
        foreign = true;
      }
    }
    const presented = this.presentedToken(req);
    // The common case (a same-machine page or tool, no token) needs no route lookup: Fastify builds
    // `routeOptions` afresh on each read, so it is read only when a token or a LAN caller makes it matter.
    if (presented === null) {
      // A page of another site may make the user's browser send GETs (<img>, <script>, no-cors
      // fetch) that carry no Origin: without a token they are not the desk's own caller.
      if (fromAnotherSite(req) && !req.routeOptions.config?.public) {
        this.opts.refusals?.gate(refusalKey(req));
        throw this.refused(req, new HttpError(403, 'cross-site', 'A request from a page of another site needs a bearer token', 'Yêu cầu từ trang web khác cần mã truy cập'));
      }
      const outsider = foreign || (this.opts.lanExposed && !isLoopbackAddress(req.socket?.remoteAddress ?? req.ip));
      if (outsider && !req.routeOptions.config?.public) throw this.refused(req, new HttpError(401, 'unauthorized', 'A bearer token is required', 'Cần mã truy cập'));
      return { name: 'local', scopes: 'all', origin };
    }
    // An address refused too often is not even looked up: guessing tokens stops at the limit.
    this.opts.refusals?.gate(refusalKey(req));
    const route = req.routeOptions.config ?? {};
    const grant = (tok: { name: string; scopes: readonly Scope[] } | null): Caller => {
      if (!tok) throw this.refused(req, new HttpError(401, 'unauthorized', 'Unknown or revoked token', 'Mã truy cập không hợp lệ'));
      if (route.scope && !tok.scopes.includes(route.scope)) {
        throw new HttpError(403, 'forbidden', `Token "${tok.name}" lacks the "${route.scope}" scope`, `Mã truy cập thiếu quyền "${route.scope}"`);
      }
      return { name: tok.name, scopes: tok.scopes, origin };
    };
    const tok = this.findToken(presented);
    if (!tok && this.opts.jwt?.enabled && looksLikeJwt(presented)) return this.centralToken(req, presented).then(grant);
    return grant(tok);
  }

  /** Answers a CORS preflight for an allowed origin (Private Network Access included). */
  preflight(req: FastifyRequest, reply: FastifyReply): void {
    const origin = req.headers.origin;
    if (!origin || !this.isAllowedOrigin(origin)) {
      throw new HttpError(403, 'origin-not-allowed', `Origin "${origin ?? ''}" may not call this agent`, 'Trang web này không được phép gọi phần mềm');
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE');
    reply.header('access-control-allow-headers', 'Authorization, Content-Type');
    reply.header('access-control-max-age', '600');
    if (req.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true');
    reply.code(204).send();
  }
}

export function registerSecurity(app: FastifyInstance, ac: AccessControl): void {
  app.decorateRequest('caller', null as unknown as Caller);
  // A callback hook, synchronous on the common path: this runs before every request.
  app.addHook('onRequest', (req, reply, done) => {
    const refuse = (err: unknown) => {
      // A refused WebSocket upgrade has no HTTP response cycle to end the socket: answer and close it here.
      if (req.headers.upgrade && err instanceof HttpError) {
        const body = JSON.stringify(err.body());
        reply.hijack();
        req.raw.socket.end(
          `HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      done(err as Error);
    };
    const admit = (caller: Caller) => {
      req.caller = caller;
      const origin = req.headers.origin;
      if (origin && ac.isAllowedOrigin(origin)) {
        reply.header('access-control-allow-origin', origin);
        reply.header('vary', 'Origin');
      }
      done();
    };
    try {
      if (req.method === 'OPTIONS') {
        // Host still matters for preflights (rebinding); then the preflight answer.
        ac.checkHost(req);
        ac.preflight(req, reply);
        return;
      }
      const caller = ac.check(req);
      if (caller instanceof Promise) caller.then(admit, refuse);
      else admit(caller);
    } catch (err) {
      refuse(err);
    }
  });
  // Every path answers OPTIONS so the hook above can answer preflights.
  app.options('*', { schema: { hide: true } }, async (_req, reply) => reply.code(204).send());
}
