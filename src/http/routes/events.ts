/** GET /api/v1/events: every event as a CloudEvents JSON message over WebSocket. */
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from './index.ts';
import type { CloudEvent } from '../../outbox/envelope.ts';
import type { Caller } from '../security.ts';
import { isPersonal } from '../../events.ts';

/** A client that does not read is cut off rather than buffering without end. */
const MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Personal data (an ID card read, a citizen's name and address on a receipt, a thumbnail of their
 * papers) goes only to callers that work with dossiers; a board token sees that it happened, not whose.
 */
function mayReadPersonal(caller: Caller): boolean {
  return caller.scopes === 'all' || caller.scopes.includes('dossier') || caller.scopes.includes('scan');
}

function redact(ev: CloudEvent): CloudEvent {
  const d = ev.data as { device?: unknown; kind?: unknown };
  return { ...ev, data: { device: d.device, kind: d.kind, personal: true, redacted: true } };
}

/** `types=hcc.queue.board,hcc.device.` → a test per event: an exact type, or a prefix ending in a dot. */
export function typeFilter(types: string | undefined): (type: string) => boolean {
  const wanted = (types ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (wanted.length === 0) return () => true;
  return (type) => wanted.some((w) => (w.endsWith('.') ? type.startsWith(w) : type === w));
}

export const eventRoutes: RoutePlugin = async (app0, { ctx }) => {
  const app = app0.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/events',
    {
      websocket: true,
      schema: {
        summary: 'WebSocket: every event as a CloudEvents 1.0 JSON message (personal data only for dossier/scan scopes)',
        tags: ['events'],
        querystring: Type.Object({
          types: Type.Optional(
            Type.String({
              maxLength: 1024,
              description: 'Only these event types, comma-separated: an exact type (hcc.queue.board) or a prefix ending in a dot (hcc.device.). All events when absent.',
            }),
          ),
        }),
      },
    },
    (socket, req) => {
      const personalOk = mayReadPersonal(req.caller);
      const wanted = typeFilter(req.query.types);
      const unsubscribe = ctx.bus.subscribe((ev) => {
        if (socket.readyState !== socket.OPEN || !wanted(ev.type)) return;
        if (socket.bufferedAmount > MAX_BUFFERED) {
          socket.close(1013, 'client too slow');
          return;
        }
        socket.send(JSON.stringify(!personalOk && isPersonal(ev) ? redact(ev) : ev));
      });
      socket.on('close', unsubscribe);
      socket.on('error', unsubscribe);
      // The stream is one-way; ignore anything a client sends.
      socket.on('message', () => undefined);
    },
  );
};
