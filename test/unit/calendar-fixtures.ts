/** A calendar config built like the agent builds it: the schema's defaults filled in by Ajv, then overrides. */
import { Ajv } from 'ajv';
import { CalendarSection, type CalendarConfig } from '../../src/calendar/config.ts';
import { WorkingCalendar } from '../../src/calendar/working-days.ts';

const validate = new Ajv({ useDefaults: true, strict: false }).compile(CalendarSection);

export function calendarConfig(overrides: Partial<CalendarConfig> = {}): CalendarConfig {
  const cfg = { ...overrides } as CalendarConfig;
  if (!validate(cfg)) throw new Error(`bad calendar config: ${JSON.stringify(validate.errors)}`);
  return cfg;
}

export function calendar(overrides: Partial<CalendarConfig> = {}): WorkingCalendar {
  return new WorkingCalendar(calendarConfig(overrides));
}

/** Epoch ms of a local time in Vietnam (UTC+7, no DST). */
export const vn = (local: string): number => Date.parse(`${local}+07:00`);
