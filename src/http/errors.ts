/**
 * One error shape for every refusal: a code, an English message and a Vietnamese one. Domain
 * errors (src/errors.ts) get their status here and only here; HttpError is for refusals that are
 * HTTP's own (token, Host, Origin, rate limits), raised inside src/http.
 */
import Type from 'typebox';
import { DomainError, type ErrorKind } from '../errors.ts';
import { isDiskFull } from '../store/disk.ts';

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code, e.g. bad-request, forbidden, not-found.' }),
    message: Type.String({ description: 'What went wrong, in English.' }),
    messageVi: Type.Optional(Type.String({ description: 'The same in Vietnamese.' })),
  },
  // Some refusals add named fields (e.g. triesLeft): a response schema must not strip them.
  { $id: 'ErrorBody', title: 'Error', additionalProperties: true },
);

export type ErrorBodyT = { error: string; message: string; messageVi?: string } & Record<string, unknown>;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly messageVi?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ErrorBodyT {
    return { error: this.code, message: this.message, ...(this.messageVi ? { messageVi: this.messageVi } : {}) };
  }
}

/** The status of each kind of domain error (RFC 9110 §15). */
export const STATUS_OF: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  failed: 500,
  unavailable: 503,
};

const KIND_OF = new Map(Object.entries(STATUS_OF).map(([kind, status]) => [status, kind as ErrorKind]));

const STORAGE_FULL: ErrorBodyT = {
  error: 'storage-full',
  message: "The agent's disk is full: this change was not stored (nothing already stored is lost). Free disk space; no restart is needed.",
  messageVi: 'Ổ đĩa của phần mềm đã đầy: thao tác này chưa được lưu (dữ liệu đã lưu vẫn an toàn). Hãy giải phóng dung lượng; không cần khởi động lại.',
};

export interface ErrorReply {
  status: number;
  body: ErrorBodyT;
  headers: Record<string, string>;
}

/**
 * The reply for an error the agent answers on purpose: a domain error by its kind, an HttpError as
 * it is, a full disk as 507. Null for anything else (Fastify's own errors and faults).
 */
export function replyFor(err: unknown): ErrorReply | null {
  if (err instanceof DomainError) {
    return { status: STATUS_OF[err.kind], body: { ...err.detail, error: err.code, message: err.message, messageVi: err.messageVi }, headers: {} };
  }
  if (err instanceof HttpError) return { status: err.statusCode, body: err.body(), headers: err.headers };
  // Disk (or the database's page cap) is full: refuse clearly; what is stored stays stored.
  if (isDiskFull(err)) return { status: 507, body: STORAGE_FULL, headers: {} };
  return null;
}

/**
 * The other way, for this agent's client of another agent (queue client → host): the refusal it
 * received, as a domain error where the status has a kind, else as the status came, so the caller
 * gets the same answer either way.
 */
export function errorFromReply(status: number, code: string, message: string, messageVi: string): Error {
  const kind = KIND_OF.get(status);
  return kind ? new DomainError(kind, code, message, messageVi) : new HttpError(status, code, message, messageVi);
}
