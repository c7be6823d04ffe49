/**
 * Worker thread for the pixel loops that would otherwise block the event loop: ink coverage,
 * separator QR detection (jsqr) and skew estimation, all on a small greyscale copy of the page.
 */
import { parentPort } from 'node:worker_threads';
import { analyseGrey, type AnalyseRequest } from './analyse-core.ts';

parentPort!.on('message', (msg: { id: number; req: AnalyseRequest }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: analyseGrey(msg.req) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
