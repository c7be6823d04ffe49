/**
 * The one way a part of the agent is wired: built in app.ts with its dependencies passed in (the
 * constructor only assigns fields), then started and stopped by the agent in list order. Opening
 * devices, timers, listening and reading files happen in start(), never in a constructor.
 */
export interface Component {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Starts components in list order and stops the started ones in reverse. A component that fails
 * to stop is logged and the others are still stopped; after a failed start, stop() undoes what
 * did start.
 */
export class Lifecycle {
  private readonly started: Component[] = [];

  constructor(
    private readonly components: readonly Component[],
    private readonly log: { error(obj: object, msg: string): void },
  ) {}

  async start(): Promise<void> {
    for (const c of this.components) {
      if (this.started.includes(c)) continue;
      await c.start();
      this.started.push(c);
    }
  }

  async stop(): Promise<void> {
    for (const c of this.started.splice(0).reverse()) {
      try {
        await c.stop();
      } catch (err) {
        this.log.error({ err, component: c.name }, 'component stop failed');
      }
    }
  }
}
