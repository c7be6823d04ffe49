/** The security services an agent holds: stored tokens, audit log, personal-data vault, central JWTs. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Db } from '../store/db.ts';
import { sourceUrn } from '../outbox/envelope.ts';
import { TokenStore } from './tokens.ts';
import { AuditLog } from './audit.ts';
import { Vault } from './vault.ts';
import { CentralJwtVerifier } from './jwt.ts';

export interface Security {
  tokens: TokenStore;
  audit: AuditLog;
  vault: Vault;
  jwt: CentralJwtVerifier;
}

export function keyFilePath(config: Config): string {
  return config.security.keyFile || join(homedir(), '.config', 'hcc-agent', `${config.agent.site}-${config.agent.id}.key`);
}

export async function buildSecurity(config: Config, db: Db): Promise<Security> {
  const tokens = new TokenStore(db);
  const vault = new Vault(keyFilePath(config));
  vault.start();
  const jwt = new CentralJwtVerifier(config.security.centralJwt, sourceUrn(config.agent.site, config.agent.id), db);
  await jwt.start();
  return { tokens, audit: new AuditLog(db), vault, jwt };
}
