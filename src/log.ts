/** pino logger with personal data redacted wherever it could appear in a logged object. */
import { pino, type Logger, type DestinationStream } from 'pino';

/** Paths masked in every log line: citizen data, tokens, raw scans. */
export const REDACT_PATHS = [
  'citizen', '*.citizen', 'applicant', '*.applicant', 'parsed.citizen', '*.parsed',
  'raw', '*.raw', 'data.raw', 'data.parsed', 'req.headers.authorization', 'headers.authorization',
  'token', '*.token', 'idNumber', '*.idNumber', 'fullName', '*.fullName',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { name: 'hcc-agent' }, redact: { paths: REDACT_PATHS, censor: '[personal]' } }, destination);
}
