/**
 * Dossier codes for tests that receive a dossier: the agent refuses a code whose date is not the
 * day of receipt in the centre's time zone, so a fixed date would fail on every other day (and
 * after 17:00 UTC, when Vietnam is already on the next one).
 */
import { formatDossierCode } from '../../src/dossier/codes.ts';

export const AGENCY = '000.00.21.H30';

/** The code a centre in `timeZone` would give its `sequence`th dossier received at `at`. */
export function dossierCodeOn(sequence: number, at: number = Date.now(), timeZone = 'Asia/Ho_Chi_Minh'): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return formatDossierCode(AGENCY, day, sequence);
}
