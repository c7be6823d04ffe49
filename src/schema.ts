/**
 * TypeBox building blocks shared by the API and template shapes, so a text field or a time means the
 * same everywhere it appears (request bodies, event data, print data).
 */
import Type from 'typebox';

/** A required text field: not empty, at most `max` characters. */
export const Str = (max: number, extra: object = {}) => Type.String({ minLength: 1, maxLength: max, ...extra });

/** A time with its zone; the pattern checks the shape only (isRealDateTime checks the calendar). */
export const IsoTime = (description = 'ISO 8601 time with zone, e.g. 2026-11-22T07:05:00Z.') =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$', maxLength: 40, description });
