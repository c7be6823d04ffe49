/** One error shape for every refusal: a code, an English message and a Vietnamese one. */
import Type from 'typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code, e.g. bad-request, forbidden, not-found.' }),
    message: Type.String({ description: 'What went wrong, in English.' }),
    messageVi: Type.Optional(Type.String({ description: 'The same in Vietnamese.' })),
  },
  { $id: 'ErrorBody', title: 'Error' },
);

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

  body(): { error: string; message: string; messageVi?: string } {
    return { error: this.code, message: this.message, ...(this.messageVi ? { messageVi: this.messageVi } : {}) };
  }
}

export const notFound = (what: string, vi: string) => new HttpError(404, 'not-found', `${what} not found`, `Không tìm thấy ${vi}`);
