import type { Events } from '../../src/events.ts';

/** Events without the event map's checks: the outbox tests forward made-up types and data. */
export type AnyEvents = Events<Record<string, unknown>>;
export const anyEvents = (events: Events): AnyEvents => events as unknown as AnyEvents;
