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
