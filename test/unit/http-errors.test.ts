/** Domain errors become replies in src/http only: each kind's status, the body, and a route's answer. */
import { afterAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { DomainError, conflict, failed, gone, invalid, notFound, unavailable, type ErrorKind } from '../../src/errors.ts';
import { ErrorBody, HttpError, STATUS_OF, errorFromReply, replyFor } from '../../src/http/errors.ts';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';

describe('kind → status', () => {
  it('gives each kind the status the API has always answered for it', () => {
    expect(STATUS_OF).toEqual({ invalid: 400, 'not-found': 404, conflict: 409, gone: 410, failed: 500, unavailable: 503 });
    const made: [DomainError, ErrorKind][] = [
      [invalid('bad-template', 'e', 'v'), 'invalid'],
      [notFound('print job 7', 'lệnh in 7'), 'not-found'],
      [conflict('closed', 'e', 'v'), 'conflict'],
      [gone('purged', 'e', 'v'), 'gone'],
      [failed('voice-failed', 'e', 'v'), 'failed'],
      [unavailable('queue-host-unreachable', 'e', 'v'), 'unavailable'],
    ];
    for (const [err, kind] of made) expect(replyFor(err)?.status).toBe(STATUS_OF[kind]);
  });

  it('answers code, both texts and the named extra fields, which cannot hide the code', () => {
    const err = new DomainError('conflict', 'wrong-pin', 'wrong PIN', 'Sai mã PIN', { triesLeft: 2, error: 'spoofed' });
    expect(replyFor(err)).toEqual({ status: 409, headers: {}, body: { error: 'wrong-pin', message: 'wrong PIN', messageVi: 'Sai mã PIN', triesLeft: 2 } });
    expect(replyFor(notFound('print job 7', 'lệnh in 7'))?.body).toEqual({ error: 'not-found', message: 'print job 7 not found', messageVi: 'Không tìm thấy lệnh in 7' });
  });

  it('keeps HTTP refusals as they are, with their headers, and leaves other errors to the handler', () => {
    const limited = new HttpError(429, 'rate-limited', 'slow down', 'Chậm lại', { 'retry-after': '3' });
    expect(replyFor(limited)).toEqual({ status: 429, headers: { 'retry-after': '3' }, body: { error: 'rate-limited', message: 'slow down', messageVi: 'Chậm lại' } });
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'ENOSPC', 'EDQUOT', 'EFBIG']) {
      expect(replyFor(Object.assign(new Error('full'), { code }))).toMatchObject({ status: 507, body: { error: 'storage-full' } });
    }
    expect(replyFor(new Error('boom'))).toBeNull();
    expect(replyFor(Object.assign(new Error('bad'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }))).toBeNull();
  });

  it('turns another agent\'s refusal back into the same status', () => {
    for (const status of [400, 404, 409, 410, 500]) expect(replyFor(errorFromReply(status, 'x', 'e', 'v'))?.status).toBe(status);
    const kinded = errorFromReply(409, 'daily-limit', 'queue host: limit', 'Hết số');
    expect(kinded).toBeInstanceOf(DomainError);
    expect(kinded).toMatchObject({ kind: 'conflict', code: 'daily-limit' });
    // Statuses without a kind (a token refused, a Host not served) are relayed as they came.
    for (const status of [401, 403, 421, 429, 507]) expect(replyFor(errorFromReply(status, 'x', 'e', 'v'))?.status).toBe(status);
  });
});

describe('a domain error thrown in a route', () => {
  let a: TestAgent | undefined;
  afterAll(async () => a?.cleanup());

  it('is answered with its status and {error, message, messageVi} through the agent', async () => {
    a = await startAgent(testConfig());
    const res = await a.fastify.inject({ method: 'POST', url: '/api/v1/queue/counters/99/recall', headers: { host: '127.0.0.1' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not-found', message: 'counter 99 not found', messageVi: 'Không tìm thấy quầy 99' });
  });

  it('keeps its extra fields through a route\'s ErrorBody response schema', async () => {
    const app = Fastify();
    app.addSchema(ErrorBody);
    app.setErrorHandler((err, _req, reply) => {
      const r = replyFor(err);
      return r ? reply.code(r.status).headers(r.headers).send(r.body) : reply.code(500).send();
    });
    app.post('/unlock', { schema: { response: { 409: { $ref: 'ErrorBody#' } } } }, () => {
      throw conflict('wrong-pin', 'wrong PIN', 'Sai mã PIN', { triesLeft: 2 });
    });
    const res = await app.inject({ method: 'POST', url: '/unlock' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'wrong-pin', message: 'wrong PIN', messageVi: 'Sai mã PIN', triesLeft: 2 });
    await app.close();
  });
});
