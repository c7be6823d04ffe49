/**
 * The one font used for every raster and PDF: Noto Sans (full Vietnamese coverage), shipped through
 * npm (@expo-google-fonts/noto-sans) so `npm start` needs no system font.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { canvasLib } from './lazy.ts';

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@expo-google-fonts/noto-sans/package.json'));

export const FONT_FILES = {
  regular: join(pkgDir, '400Regular', 'NotoSans_400Regular.ttf'),
  bold: join(pkgDir, '700Bold', 'NotoSans_700Bold.ttf'),
} as const;

/** Family name registered with the canvas; both weights under one family. */
export const FONT_FAMILY = 'HCC Noto Sans';

let registered = false;

/** Registers the font with @napi-rs/canvas once; throws if the npm package lost its files. */
export function ensureFonts(): void {
  if (registered) return;
  for (const file of Object.values(FONT_FILES)) {
    if (!canvasLib().GlobalFonts.registerFromPath(file, FONT_FAMILY)) throw new Error(`cannot load font ${file}`);
  }
  registered = true;
}

/** CSS font string for canvas. */
export function fontSpec(sizePx: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${sizePx}px "${FONT_FAMILY}"`;
}
