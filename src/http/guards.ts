/**
 * Guards against abuse: rate limits per token and per address, and 503 + Retry-After when the
 * event loop lags or memory is high (so a flood degrades service instead of killing the daemon).
 */
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.ts';
import { HttpError } from './errors.ts';
import { isLoopbackAddress } from './security.ts';

const RETRY_AFTER_S = 5;

class OverloadedError extends HttpError {
  constructor() {
    super(503, 'overloaded', 'The agent is overloaded; retry shortly', 'Phần mềm đang quá tải; vui lòng thử lại sau giây lát', { 'retry-after': String(RETRY_AFTER_S) });
  }
}

export async function registerAbuseGuards(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  const { http, security } = ctx.config;
  await app.register(underPressure, {
    maxEventLoopDelay: http.maxEventLoopDelayMs,
    maxRssBytes: http.maxRssBytes,
    retryAfter: RETRY_AFTER_S,
    customError: OverloadedError,
  });
  await app.register(rateLimit, {
    global: false,
    max: security.rateLimit.max,
    timeWindow: security.rateLimit.windowMs,
    keyGenerator: (req) => (req.caller && req.caller.name !== 'local' ? `token:${req.caller.name}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, c) =>
      new HttpError(429, 'rate-limited', `Too many requests; retry in ${Math.ceil(c.ttl / 1000)} s`, `Quá nhiều yêu cầu; thử lại sau ${Math.ceil(c.ttl / 1000)} giây`, { 'retry-after': String(Math.ceil(c.ttl / 1000)) }),
  });
  const limit = app.rateLimit();
  // After the security hook, so the key is the authenticated token where there is one. The desk's
  // own pages and local tools (loopback, no token) are the agent's owner: not limited, and not
  // even looked up, which keeps the common path cheap.
  // Not an async function: the common local call goes on at once, without a promise and a
  // microtask hop; a limited one hands Fastify the limiter's promise, and goes on when it settles.
  app.addHook('preHandler', function (req, reply, done) {
    if (req.caller?.name === 'local' && isLoopbackAddress(req.ip)) return done();
    return limit.call(this, req, reply) as unknown as void;
  });
}
