/** The security services an agent holds: stored tokens, audit log, personal-data vault, central JWTs. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Component } from '../component.ts';
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

/** The security services as one component: start() reads (or creates) the vault key and the central JWT key. */
export class SecurityServices implements Security, Component {
  readonly name = 'security';
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  readonly vault: Vault;
  readonly jwt: CentralJwtVerifier;

  constructor(config: Config, db: Db) {
    this.tokens = new TokenStore(db);
    this.audit = new AuditLog(db);
    this.vault = new Vault(keyFilePath(config));
    this.jwt = new CentralJwtVerifier(config.security.centralJwt, sourceUrn(config.agent.site, config.agent.id), db);
  }

  async start(): Promise<void> {
    this.vault.start();
    await this.jwt.start();
  }

  stop(): void {}
}
