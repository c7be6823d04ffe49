/**
 * Only printable text gets in. Every string of every parsed JSON body, query and path parameter
 * (object keys too) is checked once here, before schema validation, so no route can forget it: a
 * NUL or another control character would otherwise be stored and forwarded, and make a receipt
 * unprintable (the renderer refuses it) for good.
 *
 * Decided: in bodies TAB, LF and CR pass (a request or an address pasted on several lines; the
 * receipt layout wraps them like spaces); path and query values are identifiers, codes and
 * filters, one line each, so there no control character passes. Lone UTF-16 surrogates (not text
 * in any encoding) are refused everywhere.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

/** C0 controls but TAB, LF, CR; DEL; C1 controls. */
const CONTROL_IN_BODY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Every C0 control, DEL, C1. */
const CONTROL_ON_ONE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string in `v` that is not acceptable text, e.g. `body.applicant.name`, with the offending character. */
function firstBadText(v: unknown, path: string, control: RegExp): { path: string; char: string } | null {
  if (typeof v === 'string') {
    const m = control.exec(v) ?? LONE_SURROGATE.exec(v);
    return m ? { path, char: m[0] } : null;
  }
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = firstBadText(v[i], `${path}[${i}]`, control);
      if (bad) return bad;
    }
    return null;
  }
  for (const [k, item] of Object.entries(v)) {
    const keyBad = firstBadText(k, `${path} (a key)`, control);
    if (keyBad) return keyBad;
    const bad = firstBadText(item, `${path}.${k}`, control);
    if (bad) return bad;
  }
  return null;
}

function describe(char: string): string {
  return LONE_SURROGATE.test(char) ? 'an unpaired surrogate' : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function checkText(req: FastifyRequest): void {
  const bad = firstBadText(req.params, 'params', CONTROL_ON_ONE_LINE) ?? firstBadText(req.query, 'querystring', CONTROL_ON_ONE_LINE) ?? firstBadText(req.body, 'body', CONTROL_IN_BODY);
  if (!bad) return;
  const what = describe(bad.char);
  throw new HttpError(
    400,
    'control-character',
    `${bad.path} contains a control character (${what}); only printable text is accepted`,
    `Trường ${bad.path} chứa ký tự điều khiển (${what}); chỉ chấp nhận văn bản in được`,
  );
}

const check = (req: FastifyRequest, _reply: unknown, done: (err?: Error) => void) => {
  try {
    checkText(req);
    done();
  } catch (err) {
    done(err as Error);
  }
};

/**
 * After the query schema: Ajv's coercion turns "1e309" into Infinity and then passes it as an
 * integer within any maximum (seen with ajv 8.20), which SQLite refuses with a 500. Numbers in a
 * query must be finite.
 */
const finiteQuery = (req: FastifyRequest, _reply: unknown, done: (err?: Error) => void) => {
  const q = req.query as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(q ?? {})) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      return done(new HttpError(400, 'bad-request', `querystring/${k} must be a finite number`, `Tham số ${k} phải là một số hữu hạn`));
    }
  }
  done();
};

/**
 * On every route that takes text (a body, a query, path parameters), before its schema. A route
 * that takes none (/health, the pages' files) gets no hook, so the busiest calls pay nothing.
 */
export function registerTextCheck(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const takesText = route.url.includes(':') || route.url.includes('*') || Boolean(route.schema?.querystring ?? route.schema?.body) || methods.some((m) => m !== 'GET' && m !== 'HEAD');
    if (!takesText) return;
    route.preValidation = route.preValidation ? [...[route.preValidation].flat(), check] : check;
    if (route.schema?.querystring) route.preHandler = route.preHandler ? [finiteQuery, ...[route.preHandler].flat()] : finiteQuery;
  });
}
