/**
 * Short-lived tokens signed by the central system (Ed25519 or ES256 JWT), so no long-lived secret
 * sits in the clerk's browser: verified with a public key pinned in config, bound to this agent
 * (audience), with expiry and a single-use id (jti) remembered until it expires.
 */
import type { importSPKI } from 'jose';

type KeyLike = Awaited<ReturnType<typeof importSPKI>>;
/** jose is loaded only when central-signed tokens are configured. */
let jose: typeof import('jose') | null = null;
import { readFileSync } from 'node:fs';
import type { Db } from '../store/db.ts';
import { SCOPES, type Scope } from '../config/schema.ts';

export interface JwtConfig {
  /** PEM (SPKI) public key, or a path to a PEM file. Empty disables JWT access. */
  publicKey: string;
  issuer: string;
  /** Longest lifetime accepted, so a leaked token is useless soon. */
  maxLifetimeSeconds: number;
}

export class JwtRejected extends Error {}

/** How far the central system's clock may run ahead of this desk's. */
const CLOCK_SKEW_S = 60;

export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

export class CentralJwtVerifier {
  private keys: { alg: string; key: KeyLike }[] = [];

  constructor(
    private readonly cfg: JwtConfig,
    private readonly audience: string,
    private readonly db: Db,
  ) {}

  get enabled(): boolean {
    return this.cfg.publicKey !== '';
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    jose = await import('jose');
    const pem = this.cfg.publicKey.includes('BEGIN PUBLIC KEY') ? this.cfg.publicKey : readFileSync(this.cfg.publicKey, 'utf8');
    // The key type decides the algorithm; try both the project accepts.
    for (const alg of ['EdDSA', 'ES256']) {
      try {
        this.keys.push({ alg, key: await jose.importSPKI(pem, alg) });
      } catch {}
    }
    if (this.keys.length === 0) throw new Error('security.centralJwt.publicKey is neither an Ed25519 nor a P-256 public key');
  }

  /** Verifies and consumes the token; returns who it names and the scopes it grants. */
  async verify(token: string, now = Date.now()): Promise<{ name: string; scopes: Scope[] }> {
    let payload;
    let lastErr: unknown;
    for (const { alg, key } of this.keys) {
      try {
        ({ payload } = await jose!.jwtVerify(token, key, { algorithms: [alg], audience: this.audience, issuer: this.cfg.issuer || undefined, requiredClaims: ['exp', 'iat', 'jti', 'sub'], currentDate: new Date(now) }));
        break;
      } catch (err) {
        lastErr = err;
      }
    }
    if (!payload) {
      const msg = lastErr instanceof jose!.errors.JWTExpired ? 'token expired' : lastErr instanceof jose!.errors.JWTClaimValidationFailed ? `token claim "${lastErr.claim}" invalid` : 'token signature not valid';
      throw new JwtRejected(msg);
    }
    // The life that matters is what is left from now: a token "issued" in the future would
    // otherwise pass (exp − iat) while staying valid for a year.
    const nowS = Math.floor(now / 1000);
    if (payload.iat! > nowS + CLOCK_SKEW_S) throw new JwtRejected('token claim "iat" lies in the future');
    if (payload.exp! - payload.iat! > this.cfg.maxLifetimeSeconds || payload.exp! - nowS > this.cfg.maxLifetimeSeconds) throw new JwtRejected(`token lifetime over ${this.cfg.maxLifetimeSeconds} s`);
    this.db.prepare('DELETE FROM jwt_seen WHERE exp < ?').run(Math.floor(now / 1000));
    const fresh = this.db.prepare('INSERT OR IGNORE INTO jwt_seen (jti, exp) VALUES (?, ?)').run(payload.jti, payload.exp).changes === 1;
    if (!fresh) throw new JwtRejected('token already used');
    const scopes = String(payload.scope ?? '')
      .split(' ')
      .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
    return { name: `central:${payload.sub}`, scopes };
  }
}
