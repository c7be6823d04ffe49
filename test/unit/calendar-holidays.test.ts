/** Vietnamese public holidays: lunar dates at UTC+7, statutory days, nghỉ bù, announced changes. */
import { describe, it, expect } from 'vitest';
import pkg from '@nghiavuive/lunar_date_vi';
import { DomainError } from '../../src/errors.ts';
import { hungKingsDay, lunarNewYearsEve, tetDay } from '../../src/calendar/holidays.ts';
import { addDays } from '../../src/calendar/days.ts';
import { calendar } from './calendar-fixtures.ts';

const { SolarDate } = pkg;

/**
 * Mùng 1 Tết and Giỗ Tổ (10/3 lunar), typed from published Vietnamese calendars (lịch vạn niên after
 * Ho Ngoc Duc's tables, https://www.informatik.uni-leipzig.de/~duc/amlich/) and, for 2020–2026, the
 * government's holiday announcements (e.g. Giỗ Tổ 2020 on Thursday 2/4, 2022 on Sunday 10/4 with
 * nghỉ bù on 11/4, 2026 on Sunday 26/4). Also compared with Node's ICU Chinese calendar (an
 * approximation, not authoritative): it agrees on every date here except Tết 2027 (ICU: 7/2).
 */
const TABLE: [year: number, tet: string, hungKings: string][] = [
  [2020, '2020-01-25', '2020-04-02'],
  [2021, '2021-02-12', '2021-04-21'],
  [2022, '2022-02-01', '2022-04-10'],
  [2023, '2023-01-22', '2023-04-29'],
  [2024, '2024-02-10', '2024-04-18'],
  [2025, '2025-01-29', '2025-04-07'],
  [2026, '2026-02-17', '2026-04-26'],
  [2027, '2027-02-06', '2027-04-16'],
  [2028, '2028-01-26', '2028-04-04'],
  [2029, '2029-02-13', '2029-04-23'],
  [2030, '2030-02-02', '2030-04-12'],
  [2031, '2031-01-23', '2031-04-01'],
  [2032, '2032-02-11', '2032-04-19'],
  [2033, '2033-01-31', '2033-04-09'],
  [2034, '2034-02-19', '2034-04-28'],
  [2035, '2035-02-08', '2035-04-17'],
];

const dates = (cal: ReturnType<typeof calendar>, year: number, month: string): string[] =>
  cal.holidays(year).filter((h) => h.date.startsWith(`${year}-${month}`)).map((h) => h.date);

describe('lunar dates (UTC+7)', () => {
  it.each(TABLE)('%i: Tết %s, Giỗ Tổ %s', (year, tet, hung) => {
    expect(tetDay(year)).toBe(tet);
    expect(hungKingsDay(year)).toBe(hung);
  });

  it('uses the Vietnamese calendar where the Chinese one (UTC+8) differs', () => {
    expect(tetDay(2030)).toBe('2030-02-02'); // China: 3/2
    expect(tetDay(2007)).toBe('2007-02-17'); // China: 18/2
  });

  it('the last day of the lunar year is 29 or 30 tháng Chạp, the day before mùng 1', () => {
    for (const [year] of TABLE) {
      const eve = lunarNewYearsEve(year);
      const [y, m, d] = eve.split('-').map(Number);
      const l = new SolarDate({ year: y, month: m, day: d }).toLunarDate().get();
      expect(l.month).toBe(12);
      expect([29, 30]).toContain(l.day);
      expect(addDays(eve, 1)).toBe(tetDay(year));
    }
    expect(lunarNewYearsEve(2025)).toBe('2025-01-28'); // Ất Tỵ began without a 30 Tết (Chạp of Giáp Thìn had 29 days)
    expect(lunarNewYearsEve(2024)).toBe('2024-02-09'); // 30 Tết Quý Mão
  });

  it('refuses a year the tables do not cover', () => {
    expect(() => tetDay(1800)).toThrow(DomainError);
    expect(() => calendar().holidays(2200)).toThrow(/out of range/);
  });
});

describe('statutory days and nghỉ bù (BLLĐ 2019 Điều 112 k.1, Điều 111 k.3)', () => {
  it('2022: every compensation day the government announced', () => {
    const cal = calendar();
    const all = cal.holidays(2022).map((h) => h.date);
    // 1/1 on Saturday → Monday 3/1; Giỗ Tổ on Sunday 10/4 → 11/4; 30/4 Saturday and 1/5 Sunday → 2/5 and 3/5.
    expect(all).toEqual(expect.arrayContaining(['2022-01-01', '2022-01-03', '2022-04-10', '2022-04-11', '2022-04-30', '2022-05-01', '2022-05-02', '2022-05-03']));
    // Default Tết placement (29 Chạp + mùng 1–4) matches the 2022 announcement's five weekdays.
    expect(dates(cal, 2022, '0')).toEqual(expect.arrayContaining(['2022-01-31', '2022-02-01', '2022-02-02', '2022-02-03', '2022-02-04']));
    const bu = cal.holidays(2022).find((h) => h.date === '2022-05-02');
    expect(bu).toMatchObject({ kind: 'compensation', reasonVi: 'Nghỉ bù Ngày Chiến thắng (30/4) (2022-04-30)' });
  });

  it('2/9 on Sunday with 1/9 on Saturday (2029): two compensation days', () => {
    expect(dates(calendar(), 2029, '09')).toEqual(['2029-09-01', '2029-09-02', '2029-09-03', '2029-09-04']);
  });

  it('the 2/9 extra day: default 1/9, 3/9 by config, or the announced day of a year', () => {
    expect(dates(calendar(), 2026, '09')).toEqual(['2026-09-01', '2026-09-02']);
    expect(dates(calendar({ nationalDayExtra: 'after' }), 2026, '09')).toEqual(['2026-09-02', '2026-09-03']);
    // Hypothetical announcement, for the mechanism only.
    expect(dates(calendar({ nationalDayExtraByYear: [{ year: 2026, date: '2026-09-03' }] }), 2026, '09')).toEqual(['2026-09-02', '2026-09-03']);
  });

  it('default Tết placement: Tết days on the weekend are compensated after the break (2024)', () => {
    const tet = calendar().holidays(2024).filter((h) => h.date.startsWith('2024-02'));
    expect(tet.map((h) => h.date)).toEqual(['2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15']);
    expect(tet.filter((h) => h.kind === 'compensation').length).toBe(2);
  });

  it('an announced Tết break replaces the placement, weekends inside it get no nghỉ bù (2026: 14/2–22/2)', () => {
    const cal = calendar();
    expect(dates(cal, 2026, '02')).toEqual(['14', '15', '16', '17', '18', '19', '20', '21', '22'].map((d) => `2026-02-${d}`));
    expect(cal.isWorkingDay('2026-02-13')).toBe(true);
    expect(cal.isWorkingDay('2026-02-23')).toBe(true);
    expect(cal.holidays(2026).find((h) => h.date === '2026-02-17')).toMatchObject({ reasonVi: 'Tết Nguyên đán', kind: 'announced' });
  });

  it('2026: Giỗ Tổ on Sunday 26/4 → nghỉ bù Monday 27/4', () => {
    const cal = calendar();
    expect(cal.isWorkingDay('2026-04-27')).toBe(false);
    expect(cal.holidays(2026).find((h) => h.date === '2026-04-27')?.reasonVi).toBe('Nghỉ bù Giỗ Tổ Hùng Vương (2026-04-26)');
  });
});

describe('announced changes from config', () => {
  // A 30/4 swap of the kind announced for public servants: Friday 2/5 off, worked on Saturday 26/4.
  const swap = calendar({
    daysOff: [{ date: '2025-05-02', reason: 'Swapped day off', reasonVi: 'Ngày nghỉ hoán đổi' }],
    workDays: [{ date: '2025-04-26', reason: 'Worked for the swapped 2/5', reasonVi: 'Làm bù cho ngày 2/5', sessionsOf: 1 }],
  });

  it('a swap: the Friday is off with its reason, the Saturday is a working day', () => {
    expect(swap.isWorkingDay('2025-05-02')).toBe(false);
    expect(swap.holidays(2025).find((h) => h.date === '2025-05-02')).toMatchObject({ reasonVi: 'Ngày nghỉ hoán đổi', kind: 'announced' });
    expect(swap.isWorkingDay('2025-04-26')).toBe(true);
    expect(swap.isWorkingDay('2025-04-19')).toBe(false);
  });

  it('an extra day off', () => {
    const cal = calendar({ daysOff: [{ date: '2026-03-10', reason: 'Provincial event', reasonVi: 'Sự kiện của tỉnh' }] });
    expect(cal.isWorkingDay('2026-03-10')).toBe(false);
    expect(cal.isWorkingDay('2026-03-11')).toBe(true);
  });

  it('refuses an impossible date', () => {
    expect(() => calendar({ daysOff: [{ date: '2026-02-30', reason: 'x', reasonVi: 'x' }] })).toThrow(DomainError);
    expect(() => calendar().isWorkingDay('2026-02-30')).toThrow(/Not a calendar date/);
    expect(() => calendar().isWorkingDay('26-2-3')).toThrow(DomainError);
  });
});
