/**
 * Bearer tokens kept hashed in the database (`hcc-agent token add|list|revoke`), besides the
 * ones in the config file. Only the SHA-256 of a token is stored; the secret is shown once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { Scope } from '../config/schema.ts';

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface TokenInfo {
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
}

export class TokenStore {
  constructor(private readonly db: Db) {}

  /** Creates a token and returns its secret (shown once, never stored). */
  add(name: string, scopes: Scope[]): string {
    const secret = `hcc_${randomBytes(24).toString('base64url')}`;
    const existing = this.db.prepare('SELECT revoked_at FROM tokens WHERE name = ?').get(name) as { revoked_at: string | null } | undefined;
    if (existing && existing.revoked_at === null) throw new Error(`a token named "${name}" exists; revoke it first`);
    this.db.prepare('INSERT OR REPLACE INTO tokens (name, hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)').run(name, tokenHash(secret), JSON.stringify(scopes), new Date().toISOString());
    return secret;
  }

  revoke(name: string): boolean {
    return this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(new Date().toISOString(), name).changes > 0;
  }

  list(): TokenInfo[] {
    return (this.db.prepare('SELECT name, scopes, created_at, revoked_at FROM tokens ORDER BY name').all() as { name: string; scopes: string; created_at: string; revoked_at: string | null }[]).map((r) => ({
      name: r.name,
      scopes: JSON.parse(r.scopes),
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** The live token with this hash, if any (revocations by the CLI apply at the next request). */
  byHash(hash: string): { name: string; scopes: Scope[] } | null {
    const r = this.db.prepare('SELECT name, scopes FROM tokens WHERE hash = ? AND revoked_at IS NULL').get(hash) as { name: string; scopes: string } | undefined;
    return r ? { name: r.name, scopes: JSON.parse(r.scopes) } : null;
  }
}
