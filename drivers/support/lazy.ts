/**
 * Heavy libraries (canvas, sharp, pdfkit, bwip-js, mqtt…) are loaded on first use, not at start:
 * a kiosk that never scans never pays for sharp. `require` keeps the call sites synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}

export const canvasLib = lazyRequire<typeof import('@napi-rs/canvas')>('@napi-rs/canvas');
export const sharpLib = lazyRequire<typeof import('sharp').default>('sharp');
export const pdfkitLib = lazyRequire<typeof import('pdfkit')>('pdfkit');
export const serialportLib = lazyRequire<typeof import('serialport')>('serialport');
export const bwipLib = lazyRequire<typeof import('bwip-js')>('bwip-js');
