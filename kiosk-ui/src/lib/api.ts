/**
 * Same-origin fetch for the pages. Errors come back as ApiError carrying the agent's bilingual
 * message ({error, message, messageVi}); a network failure is an ApiError with status 0.
 * A LAN display opened with `?access_token=…` sends it as a bearer token.
 */
export const API = '/api/v1';

export function pageParam(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

const token = pageParam('access_token');

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageVi: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** Adds the page's token to a URL used by <img>/<audio>/<a> (they cannot send headers). */
export function withToken(url: string): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 10000): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new ApiError(0, 'unreachable', 'The agent does not answer', 'Không kết nối được phần mềm tại quầy');
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const e = (data && typeof data === 'object' ? data : {}) as { error?: string; message?: string; messageVi?: string };
    throw new ApiError(res.status, e.error ?? `http-${res.status}`, e.message ?? `HTTP ${res.status}`, e.messageVi ?? e.message ?? `Lỗi ${res.status}`, data);
  }
  return data as T;
}

export const get = <T = unknown>(path: string) => api<T>('GET', path);
export const post = <T = unknown>(path: string, body: unknown = {}) => api<T>('POST', path, body);
