/** Config section `calendar`: the centre's working days and hours, for appointment dates on receipts. Owned by the calendar. */
import Type, { type Static } from 'typebox';
import { key, section, item } from '../../drivers/support/config-key.ts';
import { HHMM, weeklySession } from '../config/sessions.ts';

const Day = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' });
const Weekdays = Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { uniqueItems: true });
const Year = Type.Integer({ minimum: 1901, maximum: 2198 });

const SessionItem = weeklySession({ title: 'Working session', description: 'A period of work on some weekdays, in the agent time zone.' }, { from: 'Start HH:MM.', to: 'End HH:MM (later than From).' });

const Reason = {
  reason: key(Type.String({ minLength: 1, maxLength: 120 }), { title: 'Reason (English)', description: 'E.g. Swapped day off.', default: '' }),
  reasonVi: key(Type.String({ minLength: 1, maxLength: 120 }), { title: 'Reason (Vietnamese)', description: 'E.g. Ngày nghỉ hoán đổi.', default: '' }),
};

const DayOffItem = item(
  { title: 'Announced day off', description: 'A day off announced for the year (a swapped day off, a moved Tết day, a local event).' },
  { date: key(Day, { title: 'Date', description: 'YYYY-MM-DD.', default: '' }), ...Reason },
);

const WorkDayItem = item(
  { title: 'Announced working day', description: 'A weekly rest day worked instead (the Saturday of a swap).' },
  {
    date: key(Day, { title: 'Date', description: 'YYYY-MM-DD.', default: '' }),
    ...Reason,
    sessionsOf: key(Type.Integer({ minimum: 0, maximum: 6 }), { title: 'Hours of weekday', description: 'The day keeps the sessions of this weekday (1 = Monday).', default: 1 }),
  },
);

const TetItem = item(
  { title: 'Announced Tết break', description: 'The Tết break the Prime Minister set for one year, weekends inside it included.' },
  {
    year: key(Year, { title: 'Year', description: 'Solar year of mùng 1 Tết.', default: 2026 }),
    from: key(Day, { title: 'First day', description: 'YYYY-MM-DD.', default: '' }),
    to: key(Day, { title: 'Last day', description: 'YYYY-MM-DD, inclusive.', default: '' }),
  },
);

const NationalDayItem = item(
  { title: 'Announced 2/9 extra day', description: 'The day next to 2/9 set for one year.' },
  { year: key(Year, { title: 'Year', description: 'Solar year.', default: 2026 }), date: key(Day, { title: 'Date', description: 'YYYY-09-01 or YYYY-09-03.', default: '' }) },
);

export const CalendarSection = section(
  { title: 'Working calendar', description: 'Working days and hours of the centre, public holidays and announced changes: the appointment date printed on dossier receipts.' },
  {
    sessions: key(Type.Array(SessionItem), {
      title: 'Working sessions',
      description: 'Working hours per weekday. Processing time in hours counts only these; an appointment falls inside them.',
      default: [
        { days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' },
        { days: [1, 2, 3, 4, 5], from: '13:30', to: '17:00' },
      ],
    }),
    weeklyRest: key(Weekdays, {
      title: 'Weekly rest days',
      description: 'Weekdays of rest (0 = Sunday, 6 = Saturday; Saturday and Sunday for public servants). They are not working days, and a public holiday on one of them is compensated on the next working day.',
      default: [0, 6],
    }),
    countRestDaySessions: key(Type.Boolean(), {
      title: 'Count rest-day sessions',
      description: 'A weekly rest day with sessions (e.g. a Saturday-morning reception) counts as one whole working day. Off: dossiers are received then, but the time starts on the next working day.',
      default: false,
    }),
    cutoff: key(Type.Union([HHMM, Type.Literal('')]), {
      title: 'Afternoon cut-off',
      description: 'A dossier received at or after this time counts as received on the next working day (check the rule of your province). Empty = the end of the day\'s last session.',
      default: '',
    }),
    tetDaysBefore: key(Type.Integer({ minimum: 0, maximum: 5 }), {
      title: 'Tết days before mùng 1',
      description: 'Default placement of the 5 Tết days for years without an announced break: this many days before mùng 1 (1 = the last day of the lunar year), the rest from mùng 1. Days on a weekly rest day are compensated.',
      default: 1,
    }),
    tet: key(Type.Array(TetItem), {
      title: 'Announced Tết breaks',
      description: 'The Tết break set each year by the Prime Minister for public servants; replaces the default placement for that year.',
      // Tết Bính Ngọ 2026: Saturday 14/2 to Sunday 22/2/2026 (27 tháng Chạp – mùng 6), public servants.
      default: [{ year: 2026, from: '2026-02-14', to: '2026-02-22' }],
    }),
    nationalDayExtra: key(Type.Union([Type.Literal('before'), Type.Literal('after')]), {
      title: '2/9 extra day (default)',
      description: 'The day off next to 2/9 for years without an announcement: before = 1/9, after = 3/9.',
      default: 'before',
    }),
    nationalDayExtraByYear: key(Type.Array(NationalDayItem), { title: '2/9 extra day (announced)', description: 'The announced extra day per year.', default: [] }),
    daysOff: key(Type.Array(DayOffItem), { title: 'Announced days off', description: 'Extra days off announced by the government or the province.', default: [] }),
    workDays: key(Type.Array(WorkDayItem), { title: 'Announced working days', description: 'Weekly rest days worked instead (swaps).', default: [] }),
  },
);

export type CalendarConfig = Static<typeof CalendarSection>;
