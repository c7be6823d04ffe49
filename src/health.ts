/** Health: each component contributes a check; any failing check makes the agent `degraded`. */
export interface Check {
  ok: boolean;
  /** What is wrong, in English and Vietnamese, when not ok. */
  message?: string;
  messageVi?: string;
  detail?: Record<string, unknown>;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, Check>;
}

/**
 * How long the HTTP view of the report may be reused. Any event on the bus drops it at once (device
 * status, print jobs, outbox alarms all emit one), so this only bounds how old a figure such as
 * free disk bytes can be; in exchange a monitor or a flood polling /health costs almost nothing.
 */
export const SNAPSHOT_MAX_AGE_MS = 100;

export class Health {
  private readonly checks = new Map<string, () => Check>();
  private snap: { at: number; status: HealthReport['status']; checksJson: string } | null = null;

  register(name: string, check: () => Check): void {
    this.checks.set(name, check);
    this.snap = null;
  }

  /** Forgets the cached snapshot: the next one is computed afresh. */
  invalidate(): void {
    this.snap = null;
  }

  report(): HealthReport {
    const checks: Record<string, Check> = {};
    let ok = true;
    for (const [name, fn] of this.checks) {
      let c: Check;
      try {
        c = fn();
      } catch (err) {
        c = { ok: false, message: `check failed: ${(err as Error).message}` };
      }
      checks[name] = c;
      ok &&= c.ok;
    }
    return { status: ok ? 'ok' : 'degraded', checks };
  }

  /** The report with its checks already as JSON, reused for up to SNAPSHOT_MAX_AGE_MS or until invalidated. */
  snapshot(now = performance.now()): { status: HealthReport['status']; checksJson: string } {
    if (!this.snap || now - this.snap.at > SNAPSHOT_MAX_AGE_MS) {
      const r = this.report();
      this.snap = { at: now, status: r.status, checksJson: JSON.stringify(r.checks) };
    }
    return this.snap;
  }
}
