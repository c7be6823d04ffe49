/**
 * The Fastify instance: limits and timeouts set explicitly, security first, TypeBox schemas on
 * every route (validation and OpenAPI), one error shape.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyError, type FastifyBaseLogger, type onResponseHookHandler, type FastifyRequest, type FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { Histogram } from 'prom-client';
import type { AgentContext } from '../context.ts';
import { AccessControl, registerSecurity, isLoopbackAddress } from './security.ts';
import { registerAbuseGuards } from './guards.ts';
import { RefusalLimiter } from './refusals.ts';
import { registerTextCheck } from './text.ts';
import { frameworkBody, frameworkErrors, registerJsonParser, validationBody } from './framework-errors.ts';
import { readFileSync } from 'node:fs';
import { ErrorBody, replyFor } from './errors.ts';
import { routes } from './routes/index.ts';
import { uiPlugin } from './ui.ts';

export type App = FastifyInstance;

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

export async function buildHttp(ctx: AgentContext, opts: { accessChecks: boolean } = { accessChecks: true }): Promise<App> {
  const { config } = ctx;
  const serverTimeouts = { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(config.http.headersTimeoutMs / 10))) };
  const app = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request logging off: a desk makes many small calls; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger (a pino child with redaction per request costs more than the
    // request itself on a busy desk); failures are logged with method and URL instead.
    childLoggerFactory: (logger) => logger,
    bodyLimit: config.http.bodyLimit,
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    pluginTimeout: 30000,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    frameworkErrors,
    // Node closes a socket whose headers are late only when it checks its connections, every 30 s by
    // default: with headersTimeout 10 s a slow client held its socket ~28 s. Check often enough.
    http: serverTimeouts,
    ...(config.agent.tls.cert ? { https: { cert: readFileSync(config.agent.tls.cert), key: readFileSync(config.agent.tls.key), ...serverTimeouts } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const duration = new Histogram({
    name: 'hcc_http_request_duration_seconds',
    help: 'HTTP request duration by route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [ctx.metrics],
  });
  // Each route gets its own onResponse hook that already knows the route's path, so a request
  // pays for neither `req.routeOptions` (an object built afresh on each read) nor prom-client's
  // label hashing: one labelled child per method and status, kept in the route's closure.
  const observerFor = (route: string) => {
    const children = new Map<string, { observe(v: number): void }>();
    return (method: string, status: number) => {
      const k = method + status;
      let o = children.get(k);
      if (!o) children.set(k, (o = duration.labels({ method, route, status })));
      return o;
    };
  };
  app.addHook('onRoute', (route) => {
    const observer = observerFor(route.url);
    const hook: onResponseHookHandler = (req, reply, done) => {
      observer(req.method, reply.statusCode).observe(reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = route.onResponse ? [...[route.onResponse].flat(), hook] : hook;
  });
  // Requests matching no route (404s, and refusals of unknown paths) are counted as `unmatched`.
  const unmatched = observerFor('unmatched');
  const countUnmatched = (req: FastifyRequest, reply: FastifyReply) => {
    reply.raw.once('finish', () => unmatched(req.method, reply.statusCode).observe(reply.elapsedTime / 1000));
  };

  // The error shape first: a route registered before the handler (the preflight route) keeps Fastify's default.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (req.is404) countUnmatched(req, reply);
    const known = replyFor(err);
    if (known) return reply.code(known.status).headers(known.headers).send(known.body);
    const status = err.statusCode ?? 500;
    if (err.validation) return reply.code(400).send(validationBody(err));
    if (status >= 400 && status < 500) return reply.code(status).send(frameworkBody(err));
    // A board's URL may carry its token: the log gets the path without it.
    req.log.error({ err, url: req.url.replace(/([?&]access_token=)[^&]*/, '$1***'), method: req.method }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'Internal error; see the agent log', messageVi: 'Lỗi nội bộ; xem nhật ký phần mềm' });
  });

  app.setNotFoundHandler((req, reply) => {
    countUnmatched(req, reply);
    return reply.code(404).send({ error: 'not-found', message: `No route ${req.method} ${req.url.split('?')[0]}`, messageVi: 'Không có đường dẫn này' });
  });
  registerJsonParser(app);

  // Security before any route so that every route, docs and WebSocket upgrades included, is checked.
  const lanExposed = !isLoopbackHost(config.agent.listen.host);
  if (opts.accessChecks) {
    const refusals = new RefusalLimiter(config.security.rateLimit.refusedMax, config.security.rateLimit.windowMs);
    registerSecurity(app, new AccessControl({ ...config.security, lanExposed, store: ctx.security.tokens, jwt: ctx.security.jwt, refusals }));
    await registerAbuseGuards(app, ctx);
  } else {
    app.decorateRequest('caller', null as never);
    app.addHook('onRequest', async (req) => {
      req.caller = { name: 'local', scopes: 'all' };
    });
  }

  // Every text field of every route, before its schema: no control characters get in.
  registerTextCheck(app);
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'hcc-agent', version: '1', description: 'Local API of the hcc-agent desk and kiosk daemon. Errors: {error, message, messageVi}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  for (const r of routes) await app.register(r, { ctx, prefix: '/api/v1' });
  // The pages (/kiosk, /counter, /board, /admin): same security hook, same-origin API calls.
  await app.register(uiPlugin);
  app.get('/metrics', { schema: { hide: true }, config: { scope: 'admin' } }, async (_req, reply) => {
    reply.type(ctx.metrics.contentType);
    return ctx.metrics.metrics();
  });
  return app as unknown as App;
}
