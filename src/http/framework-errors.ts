/**
 * Fastify's and Ajv's own refusals in the agent's error shape {error, message, messageVi}: a
 * validation error names the field in both languages, router errors (a bad or too long URL)
 * and body parser errors get plain texts, and a JSON body with a prototype-poisoning key says so.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBodyT } from './errors.ts';
import { HttpError } from './errors.ts';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `body/applicant/phone` → `body.applicant.phone`; the missing or unexpected property is named too. */
function fieldOf(context: string, issue: AjvIssue): string {
  const path = issue.instancePath.split('/').filter(Boolean).join('.');
  const base = path ? `${context}.${path}` : context;
  const extra = issue.params.missingProperty ?? issue.params.additionalProperty;
  return typeof extra === 'string' ? `${base}.${extra}` : base;
}

/** English and Vietnamese for one schema violation. */
function describeIssue(field: string, issue: AjvIssue): { en: string; vi: string } {
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return { en: `${field} is required`, vi: `Thiếu trường ${field}` };
    case 'additionalProperties':
      return { en: `${field} is not a known field here`, vi: `Trường ${field} không được phép ở đây` };
    case 'type':
      return { en: `${field} must be of type ${String(p.type)}`, vi: `Trường ${field} phải có kiểu ${String(p.type)}` };
    case 'pattern':
    case 'format':
      return { en: `${field} is not in the expected format${p.pattern ? ` (${String(p.pattern)})` : p.format ? ` (${String(p.format)})` : ''}`, vi: `Trường ${field} không đúng định dạng` };
    case 'minLength':
      return { en: `${field} must have at least ${String(p.limit)} characters`, vi: `Trường ${field} phải có ít nhất ${String(p.limit)} ký tự` };
    case 'maxLength':
      return { en: `${field} must have at most ${String(p.limit)} characters`, vi: `Trường ${field} chỉ được tối đa ${String(p.limit)} ký tự` };
    case 'minimum':
      return { en: `${field} must be at least ${String(p.limit)}`, vi: `Trường ${field} phải từ ${String(p.limit)} trở lên` };
    case 'maximum':
      return { en: `${field} must be at most ${String(p.limit)}`, vi: `Trường ${field} không được vượt quá ${String(p.limit)}` };
    case 'minItems':
      return { en: `${field} must have at least ${String(p.limit)} items`, vi: `Trường ${field} phải có ít nhất ${String(p.limit)} mục` };
    case 'maxItems':
      return { en: `${field} must have at most ${String(p.limit)} items`, vi: `Trường ${field} chỉ được tối đa ${String(p.limit)} mục` };
    case 'const':
    case 'enum':
    case 'anyOf':
      return { en: `${field} must be one of the allowed values`, vi: `Trường ${field} phải là một trong các giá trị cho phép` };
    default:
      return { en: `${field} ${issue.message ?? 'is not valid'}`, vi: `Trường ${field} không hợp lệ` };
  }
}

export function validationBody(err: FastifyError): ErrorBodyT {
  const issues = (err.validation ?? []) as AjvIssue[];
  // A union of literals reports each failed branch first: the union's own verdict says it plainly.
  const issue = issues.find((i) => i.keyword === 'anyOf') ?? issues[0];
  if (!issue) return { error: 'bad-request', message: err.message, messageVi: 'Dữ liệu gửi lên không hợp lệ' };
  const { en, vi } = describeIssue(fieldOf(err.validationContext ?? 'request', issue), issue);
  return { error: 'bad-request', message: en, messageVi: vi };
}

/** Fastify's own 4xx (router, body parser), by code. */
const FASTIFY_4XX: Record<string, { error: string; en?: string; vi: string }> = {
  FST_ERR_BAD_URL: { error: 'bad-url', en: 'The URL is not valid (bad percent-encoding)', vi: 'Đường dẫn không hợp lệ' },
  FST_ERR_MAX_PARAM_LENGTH: { error: 'uri-too-long', en: 'A path parameter is too long', vi: 'Đường dẫn quá dài' },
  FST_ERR_CTP_INVALID_JSON_BODY: { error: 'invalid-json', en: 'The body is not valid JSON', vi: 'Nội dung gửi lên không phải JSON hợp lệ' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { error: 'empty-body', en: 'The body is empty although its type is JSON', vi: 'Nội dung gửi lên trống' },
  FST_ERR_CTP_BODY_TOO_LARGE: { error: 'body-too-large', vi: 'Nội dung gửi lên quá lớn' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { error: 'unsupported-media-type', vi: 'Kiểu nội dung gửi lên không được hỗ trợ' },
};

export function frameworkBody(err: FastifyError): ErrorBodyT {
  const known = err.code ? FASTIFY_4XX[err.code] : undefined;
  if (known) return { error: known.error, message: known.en ?? err.message, messageVi: known.vi };
  return { error: err.code?.toLowerCase().replace(/^fst_err_/, '') ?? 'bad-request', message: err.message, messageVi: 'Yêu cầu không hợp lệ' };
}

/** Router errors that never reach the error handler (no route, no hooks): answered in the same shape. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void reply.code(err.statusCode ?? 400).send(frameworkBody(err));
}

/**
 * Fastify's JSON parser (secure-json-parse, refusing `__proto__` and `constructor.prototype` keys)
 * reports a poisoned body as "not valid JSON". Valid JSON with such a key is told as what it is.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parse(req, body as string, (err, value) => {
      if (err && (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isJson(body as string)) {
        done(new HttpError(400, 'forbidden-key', 'The body has a "__proto__" or "constructor.prototype" key, which is refused (prototype pollution)', 'Nội dung gửi lên có khoá "__proto__" hoặc "constructor.prototype" nên bị từ chối'), undefined);
        return;
      }
      done(err, value);
    });
  });
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
