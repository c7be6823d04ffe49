/** Appointment dates on the dossier receipt: N working days (or hours) after the receipt, in Vietnam's time. */
import { describe, it, expect } from 'vitest';
import { DomainError } from '../../src/errors.ts';
import { WorkingCalendar } from '../../src/calendar/working-days.ts';
import { calendar, calendarConfig, vn } from './calendar-fixtures.ts';

const MON_FRI = [1, 2, 3, 4, 5];
const SATURDAY_MORNING = [
  { days: MON_FRI, from: '07:30', to: '11:30' },
  { days: MON_FRI, from: '13:30', to: '17:00' },
  { days: [6], from: '07:30', to: '11:30' },
];

const at = (iso: string): string => new Date(vn(iso)).toISOString();
const skippedDates = (r: { skipped: { date: string }[] }): string[] => r.skipped.map((s) => s.date);

describe('appointment in working days', () => {
  const cal = calendar();

  it('across Tết 2026 (break 14/2–22/2): Thursday 12/2 10:00 + 5 days → Thursday 26/2 10:00', () => {
    const r = cal.appointment(vn('2026-02-12T10:00'), 5);
    expect(r.appointmentAt).toBe(at('2026-02-26T10:00'));
    expect(skippedDates(r)).toEqual(['14', '15', '16', '17', '18', '19', '20', '21', '22'].map((d) => `2026-02-${d}`));
    expect(r.skipped[3]).toEqual({ date: '2026-02-17', reason: 'Lunar New Year (Tết Nguyên đán)', reasonVi: 'Tết Nguyên đán' });
  });

  it('across 30/4–1/5 2026: Wednesday 29/4 09:00 + 2 days → Tuesday 5/5 09:00', () => {
    const r = cal.appointment(vn('2026-04-29T09:00'), 2);
    expect(r.appointmentAt).toBe(at('2026-05-05T09:00'));
    expect(skippedDates(r)).toEqual(['2026-04-30', '2026-05-01', '2026-05-02', '2026-05-03']);
    expect(r.skipped[2].reasonVi).toBe('Ngày nghỉ hằng tuần');
  });

  it('across Giỗ Tổ on Sunday 26/4/2026 and its nghỉ bù', () => {
    const r = cal.appointment(vn('2026-04-24T10:00'), 1);
    expect(r.appointmentAt).toBe(at('2026-04-28T10:00'));
    expect(r.skipped.map((s) => s.reasonVi)).toEqual(['Ngày nghỉ hằng tuần', 'Giỗ Tổ Hùng Vương', 'Nghỉ bù Giỗ Tổ Hùng Vương (2026-04-26)']);
  });

  it('across 2/9 2026 (extra day 1/9 by default): Monday 31/8 14:00 + 1 day → Thursday 3/9 14:00', () => {
    const r = cal.appointment(vn('2026-08-31T14:00'), 1);
    expect(r.appointmentAt).toBe(at('2026-09-03T14:00'));
    expect(skippedDates(r)).toEqual(['2026-09-01', '2026-09-02']);
  });

  it('the receipt day is not counted: Monday 10:00 + 1 day → Tuesday 10:00', () => {
    expect(cal.appointment(vn('2026-03-09T10:00'), 1)).toEqual({ appointmentAt: at('2026-03-10T10:00'), skipped: [] });
  });

  it('Friday afternoon + 1 day → Monday, same clock time', () => {
    const r = cal.appointment(vn('2026-03-13T16:45'), 1);
    expect(r.appointmentAt).toBe(at('2026-03-16T16:45'));
    expect(skippedDates(r)).toEqual(['2026-03-14', '2026-03-15']);
  });

  it('clock time moved into the sessions: lunch → 13:30; before opening → 07:30', () => {
    expect(cal.appointment(vn('2026-03-09T12:10'), 1).appointmentAt).toBe(at('2026-03-10T13:30'));
    expect(cal.appointment(vn('2026-03-09T06:00'), 1).appointmentAt).toBe(at('2026-03-10T07:30'));
  });

  it('after the day closes (no cut-off set) it counts from the next working day', () => {
    const r = cal.appointment(vn('2026-03-13T17:30'), 1);
    expect(r.appointmentAt).toBe(at('2026-03-17T07:30'));
    expect(r.skipped[0]).toMatchObject({ date: '2026-03-13', reasonVi: 'Tiếp nhận từ 17:00: tính từ ngày làm việc tiếp theo' });
  });

  it('received on a non-working day counts from the next working day’s opening', () => {
    const r = cal.appointment(vn('2026-02-18T09:00'), 1); // a Tết day, e.g. an online dossier
    expect(r.appointmentAt).toBe(at('2026-02-24T07:30'));
  });

  it('0 working days: the same day (clamped into the sessions), or the next working day', () => {
    expect(cal.appointment(vn('2026-03-09T10:00'), 0).appointmentAt).toBe(at('2026-03-09T10:00'));
    expect(cal.appointment(vn('2026-03-09T06:45'), 0).appointmentAt).toBe(at('2026-03-09T07:30'));
    expect(cal.appointment(vn('2026-03-15T10:00'), 0).appointmentAt).toBe(at('2026-03-16T07:30')); // Sunday
  });

  it('an announced working Saturday counts (2025 swap: 26/4 worked, 2/5 off)', () => {
    const swap = calendar({
      daysOff: [{ date: '2025-05-02', reason: 'Swapped day off', reasonVi: 'Ngày nghỉ hoán đổi' }],
      workDays: [{ date: '2025-04-26', reason: 'Swap', reasonVi: 'Làm bù', sessionsOf: 1 }],
    });
    expect(swap.appointment(vn('2025-04-25T10:00'), 1).appointmentAt).toBe(at('2025-04-26T10:00'));
    const r = swap.appointment(vn('2025-04-29T10:00'), 1);
    expect(r.appointmentAt).toBe(at('2025-05-05T10:00'));
    expect(r.skipped.map((s) => s.reasonVi)).toContain('Ngày nghỉ hoán đổi');
  });
});

describe('afternoon cut-off', () => {
  const cal = calendar({ cutoff: '15:00' });

  it('before the cut-off the receipt day is that day', () => {
    expect(cal.appointment(vn('2026-03-09T14:59'), 3).appointmentAt).toBe(at('2026-03-12T14:59'));
  });

  it('at or after the cut-off it is the next working day, from its opening', () => {
    const r = cal.appointment(vn('2026-03-09T15:00'), 3);
    expect(r.appointmentAt).toBe(at('2026-03-13T07:30'));
    expect(r.skipped).toEqual([{ date: '2026-03-09', reason: 'Received at or after 15:00: counted from the next working day', reasonVi: 'Tiếp nhận từ 15:00: tính từ ngày làm việc tiếp theo' }]);
  });

  it('Friday after the cut-off: Monday is the receipt day', () => {
    const r = cal.appointment(vn('2026-03-13T16:00'), 1);
    expect(r.appointmentAt).toBe(at('2026-03-17T07:30'));
    expect(skippedDates(r)).toEqual(['2026-03-13', '2026-03-14', '2026-03-15']);
  });
});

describe('Saturday-morning centre', () => {
  it('by default the Saturday morning receives but does not count', () => {
    const cal = calendar({ sessions: SATURDAY_MORNING });
    expect(cal.isWorkingDay('2026-03-14')).toBe(false);
    const r = cal.appointment(vn('2026-03-14T09:00'), 1);
    expect(r.appointmentAt).toBe(at('2026-03-17T07:30'));
    expect(r.skipped.map((s) => s.reasonVi)).toEqual(['Ngày nghỉ hằng tuần (chỉ tiếp nhận, không tính)', 'Ngày nghỉ hằng tuần']);
  });

  it('counted: the half day is one working day; a time after its close is its end', () => {
    const cal = calendar({ sessions: SATURDAY_MORNING, countRestDaySessions: true });
    expect(cal.isWorkingDay('2026-03-14')).toBe(true);
    expect(cal.isWorkingDay('2026-03-15')).toBe(false);
    expect(cal.appointment(vn('2026-03-13T14:00'), 1).appointmentAt).toBe(at('2026-03-14T11:30'));
    expect(cal.appointment(vn('2026-03-14T09:00'), 2).appointmentAt).toBe(at('2026-03-17T09:00'));
    // A holiday on a counted Saturday is still a day off (30/4/2033 is a Saturday).
    expect(cal.isWorkingDay('2033-04-30')).toBe(false);
  });
});

describe('appointment in working hours', () => {
  const cal = calendar();

  it('counts only minutes inside sessions of working days', () => {
    // Friday 13/2/2026 16:00: 1 h to 17:00, Tết break, then 3 h from Monday 23/2 07:30.
    const r = cal.appointmentHours(vn('2026-02-13T16:00'), 4);
    expect(r.appointmentAt).toBe(at('2026-02-23T10:30'));
    expect(r.skipped).toHaveLength(9);
    expect(cal.appointmentHours(vn('2026-03-09T11:15'), 0.5).appointmentAt).toBe(at('2026-03-09T13:45'));
    expect(cal.appointmentHours(vn('2026-03-09T07:30'), 4).appointmentAt).toBe(at('2026-03-09T11:30'));
    expect(cal.appointmentHours(vn('2026-03-09T07:30'), 7.5).appointmentAt).toBe(at('2026-03-09T17:00'));
  });
});

describe('bad input', () => {
  const cal = calendar();
  const expectInvalid = (fn: () => unknown, code: string): void => {
    try {
      fn();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect(e).toMatchObject({ kind: 'invalid', code });
      expect((e as DomainError).messageVi).not.toBe('');
    }
  };

  it('refuses negative, fractional, too many days and a time that is not a number', () => {
    expectInvalid(() => cal.appointment(vn('2026-03-09T10:00'), -1), 'invalid-working-days');
    expectInvalid(() => cal.appointment(vn('2026-03-09T10:00'), 366), 'invalid-working-days');
    expectInvalid(() => cal.appointment(vn('2026-03-09T10:00'), 1.5), 'invalid-working-days');
    expectInvalid(() => cal.appointment(Number.NaN, 1), 'invalid-time');
    expectInvalid(() => cal.appointment(Number.POSITIVE_INFINITY, 1), 'invalid-time');
    expectInvalid(() => cal.appointmentHours(vn('2026-03-09T10:00'), Number.NaN), 'invalid-working-hours');
    expectInvalid(() => cal.appointmentHours(vn('2026-03-09T10:00'), -2), 'invalid-working-hours');
  });

  it('365 working days is accepted', () => {
    expect(cal.appointment(vn('2026-03-09T10:00'), 365).appointmentAt).toMatch(/^2027-/);
  });

  it('a config without any working session fails with a clear error, not a hang', () => {
    expectInvalid(() => calendar({ sessions: [] }).appointment(vn('2026-03-09T10:00'), 1), 'calendar-no-working-day');
  });

  it('an unknown time zone is refused when the calendar is built', () => {
    expectInvalid(() => new WorkingCalendar(calendarConfig(), 'Asia/Nowhere'), 'invalid-time-zone');
  });
});
