/**
 * E2E helpers: Debian's chromium driven by playwright-core (headless, one browser per test file),
 * an agent listening on a free loopback port, screenshots into test-artifacts/, and the overflow
 * check used on the kiosk.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startAgent, testConfig } from '../helpers/agent.ts';

export const CHROMIUM = process.env.HCC_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // The board plays the voice call without a click, as a kiosk-mode browser would.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
  });
}

/**
 * An agent on a free port. The event-loop-lag guard (503 "overloaded") is off: these tests share
 * two cores with the rest of the suite and a headless browser, and test the pages, not the guard.
 */
export async function uiAgent(patch: Record<string, any> = {}) {
  return startAgent(testConfig({ ...patch, http: { maxEventLoopDelayMs: 0, ...(patch.http ?? {}) } }), { listen: true });
}

export async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Elements whose content is wider than their box (text cut off or spilling), described for the failure message. */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((el) => {
        const e = el as HTMLElement;
        if (e.offsetParent === null && getComputedStyle(e).position !== 'fixed') return false;
        return e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto';
      })
      .map((el) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className} "${(el.textContent ?? '').slice(0, 40)}" ${el.scrollWidth}>${el.clientWidth}`),
  );
}

/** Page console errors and failed requests: a page that throws fails its test. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A 4xx/5xx the page handles (e.g. an unknown dossier) is logged by chromium as a resource error; not a page bug.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export const PORTRAIT = { width: 1080, height: 1920 };
export const LANDSCAPE = { width: 1920, height: 1080 };

/** expect.poll with a timeout fit for a loaded two-core machine (vitest's default is 1 s). */
export function eventually<T>(fn: () => T | Promise<T>, timeout = 15000) {
  return expect.poll(fn, { timeout, interval: 100 });
}

/** Buttons smaller than a 64 px touch target on either side. */
export function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('button, a.btn, select'))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 64 || r.height < 64))
      .map(({ el, r }) => `${el.tagName.toLowerCase()} "${el.textContent?.slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
}
