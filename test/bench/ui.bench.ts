/**
 * Pages bench (headless Debian chromium, same browser run for each figure and its reference):
 * - /kiosk load to interactive: navigation start → the service buttons are rendered from the
 *   queue API (the citizen can touch one), median of 15 loads, beside a blank HTML page served
 *   over loopback HTTP in the same browser;
 * - JS+CSS bytes the browser fetched for /kiosk (uncompressed), target < 300 KB, beside /counter;
 * - board update: POST call-next → the number shown on /board (event push + render), median of
 *   10 calls, beside the POST call-next round trip alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Response } from 'playwright-core';
import type { Row } from './run.ts';
import { launch } from '../e2e/browser.ts';
import { startAgent, testConfig } from '../helpers/agent.ts';

const LOADS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Bytes of scripts and stylesheets a first visit fetches (decoded body sizes; fresh context, empty cache). */
async function assetBytes(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  let total = 0;
  const pending: Promise<void>[] = [];
  const onResponse = (r: Response) => {
    const type = r.request().resourceType();
    if (type === 'script' || type === 'stylesheet') pending.push(r.body().then((b) => void (total += b.length)));
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'load' });
  await Promise.all(pending);
  await context.close();
  return total;
}

export default async function bench(): Promise<Row[]> {
  const blank = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>blank</title></head><body><p>.</p></body></html>'));
  await new Promise<void>((r) => blank.listen(0, '127.0.0.1', r));
  const blankUrl = `http://127.0.0.1:${(blank.address() as AddressInfo).port}/`;
  const [browser, agent] = await Promise.all([launch(), startAgent(testConfig(), { listen: true })]);
  try {
    const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
    const kioskMs: number[] = [];
    const blankMs: number[] = [];
    for (let i = 0; i < LOADS + 2; i++) {
      let t0 = performance.now();
      await page.goto(`${agent.url}/kiosk`, { waitUntil: 'commit' });
      await page.locator('[data-service]').first().waitFor({ state: 'visible' });
      const k = performance.now() - t0;
      t0 = performance.now();
      await page.goto(blankUrl, { waitUntil: 'load' });
      const b = performance.now() - t0;
      if (i >= 2) {
        kioskMs.push(k);
        blankMs.push(b);
      }
    }
    const post = async (path: string, body: unknown = {}) => {
      const r = await fetch(`${agent.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await r.json()) as { number?: string; ticket?: { number: string } | null };
    };
    const board = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await board.goto(`${agent.url}/board`);
    await board.locator('.b-head .dot.on').waitFor();
    const boardMs: number[] = [];
    const callMs: number[] = [];
    for (let i = 0; i < 12; i++) {
      await post('/queue/tickets', { serviceId: 'land', print: false });
      const t0 = performance.now();
      const called = await post('/queue/counters/3/call-next');
      callMs.push(performance.now() - t0);
      await board.waitForFunction((n) => document.querySelector('[data-testid="counter-3"]')?.textContent === n, called.ticket?.number, { polling: 'raf' });
      boardMs.push(performance.now() - t0);
    }
    await board.close();
    const kioskBytes = await assetBytes(browser, `${agent.url}/kiosk`);
    const counterBytes = await assetBytes(browser, `${agent.url}/counter`);
    return [
      { area: 'ui', name: `/kiosk load to interactive (services shown), median of ${LOADS}`, value: median(kioskMs), unit: 'ms', reference: { name: 'blank page load', value: median(blankMs) }, target: '< 1000 ms', pass: median(kioskMs) < 1000 },
      { area: 'ui', name: 'call-next → number on /board, median of 10', value: median(boardMs.slice(2)), unit: 'ms', reference: { name: 'POST call-next alone', value: median(callMs.slice(2)) }, target: '< 500 ms', pass: median(boardMs.slice(2)) < 500 },
      { area: 'ui', name: '/kiosk JS+CSS shipped (uncompressed)', value: kioskBytes / 1024, unit: 'KB', reference: { name: '/counter JS+CSS', value: counterBytes / 1024 }, target: '< 300 KB', pass: kioskBytes < 300 * 1024 },
    ];
  } finally {
    await browser.close();
    await agent.cleanup();
    blank.close();
  }
}
