/** GET /api/v1/events: every event as a CloudEvents JSON message over WebSocket. */
import type { RoutePlugin } from './index.ts';

/** A client that does not read is cut off rather than buffering without end. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export const eventRoutes: RoutePlugin = async (app, { ctx }) => {
  app.get('/events', { websocket: true, schema: { summary: 'WebSocket: every event as a CloudEvents 1.0 JSON message', tags: ['events'] } }, (socket) => {
    const unsubscribe = ctx.bus.subscribe((ev) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED) {
        socket.close(1013, 'client too slow');
        return;
      }
      socket.send(JSON.stringify(ev));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
    // The stream is one-way; ignore anything a client sends.
    socket.on('message', () => undefined);
  });
};
