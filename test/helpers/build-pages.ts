/**
 * Vitest global setup: the agent only reads kiosk-ui/dist, which `npm run build` writes. The suite
 * runs the sources without that step, so it builds the pages once per run when they are missing
 * or were built from other sources (never at each agent start).
 */
import { ensureUiBuilt } from '../../scripts/build-ui.mjs';

export default async function buildPages(): Promise<void> {
  await ensureUiBuilt();
}
