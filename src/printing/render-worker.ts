/** Worker thread: renders print jobs (layout, raster, ESC/POS) so the event loop never waits on canvas. */
import { parentPort } from 'node:worker_threads';
import { renderJob } from './render.ts';

type Args = Parameters<typeof renderJob>;

parentPort!.on('message', (msg: { id: number; req: Args }) => {
  renderJob(...msg.req).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message }),
  );
});
