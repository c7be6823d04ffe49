/** Health: each component contributes a check; any failing check makes the agent `degraded`. */
export interface Check {
  ok: boolean;
  /** What is wrong, in English and Vietnamese, when not ok. */
  message?: string;
  messageVi?: string;
  detail?: Record<string, unknown>;
}

export class Health {
  private readonly checks = new Map<string, () => Check>();

  register(name: string, check: () => Check): void {
    this.checks.set(name, check);
  }

  report(): { status: 'ok' | 'degraded'; checks: Record<string, Check> } {
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
}
