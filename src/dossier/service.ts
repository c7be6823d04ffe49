/**
 * The dossier component: what this desk received and returned (store), the receive and return
 * flows, the status look-up for kiosks, and the retention of applicants' names.
 */
import type { Logger } from 'pino';
import type { Component } from '../component.ts';
import type { Db } from '../store/db.ts';
import type { Events } from '../events.ts';
import type { PrintSubmitter } from '../printing/api.ts';
import type { Vault } from '../security/vault.ts';
import { DossierStore } from './store.ts';
import { DossierFlows, type FlowDeps } from './flows.ts';
import { StatusLookup, type StatusOptions } from './status.ts';
import type { DossierStatus } from './schemas.ts';

const DAY_MS = 86_400_000;

export interface DossierDeps {
  db: Db;
  events: Events;
  printing: PrintSubmitter;
  log: Logger;
  /** Seals the applicant's name at rest. */
  vault?: Vault;
  /** Names of dossiers received and never returned here are erased after this many days. */
  retentionDays: number;
  agencyName: string;
  timezone: string;
  dossierPatterns: readonly string[];
  procedures: FlowDeps['procedures'];
  calendar: FlowDeps['calendar'];
  vietqr: FlowDeps['vietqr'];
  /** The central status service. */
  central: StatusOptions;
}

export class DossierService implements Component {
  readonly name = 'dossier';
  readonly store: DossierStore;
  readonly flows: DossierFlows;
  private readonly status: StatusLookup;
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly d: DossierDeps) {
    this.store = new DossierStore(d.db, d.vault);
    this.flows = new DossierFlows({ events: d.events, printing: d.printing, store: this.store, log: d.log, agencyName: d.agencyName, timezone: d.timezone, dossierPatterns: d.dossierPatterns, procedures: d.procedures, calendar: d.calendar, vietqr: d.vietqr });
    this.status = new StatusLookup(this.store, d.central);
  }

  start(): void {
    const purge = () => this.store.purgeNames(new Date(Date.now() - this.d.retentionDays * DAY_MS));
    purge();
    // Retention runs daily too: an agent may run for months without a restart.
    this.purgeTimer = setInterval(purge, DAY_MS);
    this.purgeTimer.unref();
  }

  stop(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
  }

  /** The status of a dossier by its (already parsed) code: central first, else what this desk knows. */
  lookup(code: string): Promise<DossierStatus> {
    return this.status.lookup(code);
  }
}
