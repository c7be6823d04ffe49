/**
 * Guards against abuse: rate limits per token and per address, and 503 + Retry-After when the
 * event loop lags or memory is high (so a flood degrades service instead of killing the daemon).
 * An overload is never a state the agent cannot leave: the routes reachable without a token
 * (/health, the pages) are always answered, health says why the agent is degraded, and the memory
 * guard lifts as soon as the memory is no longer in use.
 */
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.ts';
import { HttpError } from './errors.ts';
import { isLoopbackAddress } from './security.ts';

const RETRY_AFTER_S = 5;

class OverloadedError extends HttpError {
  constructor() {
    super(503, 'overloaded', 'The agent is overloaded; retry shortly', 'Phần mềm đang quá tải; vui lòng thử lại sau giây lát', { 'retry-after': String(RETRY_AFTER_S) });
  }
}

/**
 * Resident memory over the limit, while the agent holds it. Freed memory often stays resident
 * (the allocator keeps it for reuse), and RSS alone once kept every route at 503 until a restart
 * after a burst had passed; so the guard also asks what the agent holds now (V8 heap and buffers)
 * and lifts once that is under half the limit.
 */
export function memoryOverloaded(maxRssBytes: number, m: Pick<NodeJS.MemoryUsage, 'rss' | 'heapUsed' | 'external'>): boolean {
  return maxRssBytes > 0 && m.rss > maxRssBytes && m.heapUsed + m.external > maxRssBytes / 2;
}

export async function registerAbuseGuards(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  const { http, security } = ctx.config;
  await app.register(underPressure, {
    maxEventLoopDelay: http.maxEventLoopDelayMs,
    // Memory is judged by memoryOverloaded(), sampled once a second like the event loop delay.
    ...(http.maxRssBytes > 0 ? { healthCheck: async () => !memoryOverloaded(http.maxRssBytes, process.memoryUsage()), healthCheckInterval: 1000 } : {}),
    retryAfter: RETRY_AFTER_S,
    // Health and the pages are cheap and say what is wrong: never refused (read only when under pressure).
    pressureHandler: (req: FastifyRequest) => (req.routeOptions.config?.public ? undefined : Promise.reject(new OverloadedError())),
  });
  ctx.health.register('load', () =>
    app.isUnderPressure()
      ? { ok: false, message: 'overloaded: answering 503 to all but health and the pages until the load passes', messageVi: 'quá tải: tạm từ chối các yêu cầu (trừ kiểm tra tình trạng và các trang) cho đến khi hết tải' }
      : { ok: true },
  );
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
