/** Health: each component contributes a check; any failing check makes the agent `degraded`. */
import Type, { type Static } from 'typebox';

export const Check = Type.Object({
  ok: Type.Boolean(),
  message: Type.Optional(Type.String({ description: 'What is wrong, in English, when not ok.' })),
  messageVi: Type.Optional(Type.String({ description: 'The same in Vietnamese.' })),
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type Check = Static<typeof Check>;

export const HealthReport = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), Check),
});
export type HealthReport = Static<typeof HealthReport>;

/** GET /health: the report, with which agent answers and how long it has run. */
export const HealthAnswer = Type.Object({
  status: HealthReport.properties.status,
  agent: Type.String(),
  site: Type.String(),
  uptimeMs: Type.Integer(),
  checks: HealthReport.properties.checks,
});
export type HealthAnswer = Static<typeof HealthAnswer>;

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
