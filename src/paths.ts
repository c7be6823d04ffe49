/**
 * Where the agent's own files are, whether it runs from the TypeScript sources (tsx) or from the
 * bundle `npm start` builds: found by walking up to the project's package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'hcc-agent') return dir;
      } catch {}
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the hcc-agent package above ${from}`);
    dir = up;
  }
}

/** The project root (where package.json, config/ and kiosk-ui/ are). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

export const projectPath = (...parts: string[]): string => resolve(ROOT, ...parts);
