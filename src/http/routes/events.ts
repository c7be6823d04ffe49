/** GET /api/v1/events: every event as a CloudEvents JSON message over WebSocket. */
import type { RoutePlugin } from './index.ts';
import type { CloudEvent } from '../../outbox/envelope.ts';
import type { Caller } from '../security.ts';

/** A client that does not read is cut off rather than buffering without end. */
const MAX_BUFFERED = 4 * 1024 * 1024;

/** Personal data (an ID card read) goes only to callers that work with dossiers; a board token sees that a card was read, not whose. */
function mayReadPersonal(caller: Caller): boolean {
  return caller.scopes === 'all' || caller.scopes.includes('dossier') || caller.scopes.includes('scan');
}

function redact(ev: CloudEvent): CloudEvent {
  const d = ev.data as { device?: unknown; kind?: unknown };
  return { ...ev, data: { device: d.device, kind: d.kind, personal: true, redacted: true } };
}

export const eventRoutes: RoutePlugin = async (app, { ctx }) => {
  app.get('/events', { websocket: true, schema: { summary: 'WebSocket: every event as a CloudEvents 1.0 JSON message (personal data only for dossier/scan scopes)', tags: ['events'] } }, (socket, req) => {
    const personalOk = mayReadPersonal(req.caller);
    const unsubscribe = ctx.bus.subscribe((ev) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED) {
        socket.close(1013, 'client too slow');
        return;
      }
      const personal = (ev.data as { personal?: unknown } | null)?.personal === true;
      socket.send(JSON.stringify(personal && !personalOk ? redact(ev) : ev));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
    // The stream is one-way; ignore anything a client sends.
    socket.on('message', () => undefined);
  });
};
