/** Every route plugin under /api/v1. A concern adds its routes file here. */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentContext } from '../../context.ts';
import { systemRoutes } from './system.ts';
import { eventRoutes } from './events.ts';
import { outboxRoutes } from './outbox.ts';
import { dossierRoutes } from './dossiers.ts';
import { queueRoutes } from './queue.ts';
import { scanRoutes } from './scans.ts';
import { auditRoutes } from './audit.ts';
import { printRoutes } from './print.ts';
import { procedureRoutes } from './procedures.ts';

export type RoutePlugin = FastifyPluginAsync<{ ctx: AgentContext }>;

export const routes: RoutePlugin[] = [systemRoutes, eventRoutes, outboxRoutes, queueRoutes, scanRoutes, auditRoutes, printRoutes, dossierRoutes, procedureRoutes];
