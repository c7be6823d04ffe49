/**
 * The domain's one error type. Services say what kind of refusal it is, a stable machine code and
 * the text in English and Vietnamese; only src/http turns the kind into a status code.
 */

/**
 * - invalid: what was asked for is malformed or names something not configured;
 * - not-found: the thing asked about does not exist (here);
 * - conflict: not possible in the current state (closed, busy, already done);
 * - gone: existed, but its data has been erased;
 * - failed: the agent tried and could not (a fault on its side, not the caller's);
 * - unavailable: a part the request needs is missing or unreachable; later may work.
 */
export type ErrorKind = 'invalid' | 'not-found' | 'conflict' | 'gone' | 'failed' | 'unavailable';

/** Extra fields of the error body beside error, message and messageVi (e.g. triesLeft). */
export type ErrorDetail = Record<string, string | number | boolean | null>;

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Machine-readable, stable: the body's `error`. */
    readonly code: string,
    message: string,
    readonly messageVi: string,
    readonly detail?: ErrorDetail,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

const of =
  (kind: ErrorKind) =>
  (code: string, message: string, messageVi: string, detail?: ErrorDetail): DomainError =>
    new DomainError(kind, code, message, messageVi, detail);

export const invalid = of('invalid');
export const conflict = of('conflict');
export const gone = of('gone');
export const failed = of('failed');
export const unavailable = of('unavailable');

/** `what` in English and Vietnamese, e.g. notFound(`print job ${id}`, `lệnh in ${id}`). */
export const notFound = (what: string, whatVi: string): DomainError => new DomainError('not-found', 'not-found', `${what} not found`, `Không tìm thấy ${whatVi}`);
