/** Worker thread: renders print jobs (layout, raster, ESC/POS) so the event loop never waits on canvas. */
import { parentPort } from 'node:worker_threads';
import { renderJob } from './render.ts';

type Args = Parameters<typeof renderJob>;

parentPort!.on('message', (msg: { id: number; args: Args }) => {
  renderJob(...msg.args).then(
    (out) => parentPort!.postMessage({ id: msg.id, out }),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message }),
  );
});
