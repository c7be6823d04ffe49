/** Config shapes of time of day: HH:MM, and a session on some weekdays (queue opening hours, the centre's working hours). */
import Type from 'typebox';
import { key, item } from '../../drivers/support/config-key.ts';

export const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });

/** A period on some weekdays, in the agent time zone; `from`/`to` describe what the ends mean there. */
export function weeklySession(doc: { title: string; description: string }, ends: { from: string; to: string }) {
  return item(doc, {
    days: key(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, uniqueItems: true }), { title: 'Weekdays', description: '0 = Sunday … 6 = Saturday.', default: [1, 2, 3, 4, 5] }),
    from: key(HHMM, { title: 'From', description: ends.from, default: '07:30' }),
    to: key(HHMM, { title: 'To', description: ends.to, default: '17:00' }),
  });
}
