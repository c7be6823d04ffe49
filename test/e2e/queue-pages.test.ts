/**
 * Kiosk → board → counter in a real browser: take a ticket on /kiosk, see it waiting on /board,
 * call it from /counter, see the board update (and its voice call), complete it and rate it on
 * the counter's rating panel; the kiosk's Vietnamese fits at 1080×1920 and 1920×1080; a printer
 * out of paper shows the staff message and still the number; the kiosk returns to the start when idle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launch, LANDSCAPE, overflowing, PORTRAIT, shot, smallTargets, uiAgent, watchErrors } from './browser.ts';

let browser: Browser;
let agent: Awaited<ReturnType<typeof uiAgent>>;
const errors: string[] = [];

async function open(path: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  errors.push(...watchErrors(page));
  await page.goto(agent.url + path);
  return page;
}

beforeAll(async () => {
  [browser, agent] = await Promise.all([launch(), uiAgent()]);
});

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
});

describe('kiosk, board and counter', { timeout: 60000 }, () => {
  let kiosk: Page;
  let board: Page;
  let counter: Page;
  let number: string;

  it('takes a ticket on the kiosk (portrait) with Vietnamese text that fits', async () => {
    kiosk = await open('/kiosk', PORTRAIT);
    await kiosk.locator('[data-service="land"]').waitFor();
    await eventually(() => kiosk.locator('.dot, .k-offline').count()).toBe(0);
    expect(await kiosk.locator('.k-service-name').allTextContents()).toEqual(['Đất đai', 'Hộ tịch']);
    expect(await overflowing(kiosk)).toEqual([]);
    expect(await smallTargets(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-portrait-home');
    // The check itself catches a line too wide for its box.
    await kiosk.evaluate(() => {
      const d = document.createElement('div');
      d.id = 'probe';
      d.style.width = '40px';
      d.style.whiteSpace = 'nowrap';
      d.textContent = 'Thủ tục hành chính';
      document.body.append(d);
    });
    expect(await overflowing(kiosk)).toEqual([expect.stringContaining('Thủ tục hành chính')]);
    await kiosk.evaluate(() => document.getElementById('probe')?.remove());

    await kiosk.click('[data-service="land"]');
    await kiosk.locator('[data-priority="elderly"]').waitFor();
    expect(await kiosk.locator('[data-priority]').count()).toBe(5);
    expect(await overflowing(kiosk)).toEqual([]);
    expect(await smallTargets(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-portrait-priority');

    await kiosk.click('[data-priority=""]');
    const num = kiosk.getByTestId('ticket-number');
    await num.waitFor();
    number = (await num.textContent()) ?? '';
    expect(number).toMatch(/^A\d{3}$/);
    await eventually(() => kiosk.getByTestId('ahead').textContent()).toBe('Quý vị sẽ được gọi ngay');
    // The kiosk follows the ticket's print job until the printer confirms it.
    await eventually(() => kiosk.getByTestId('print-ok').textContent(), 10000).toBe('Xin mời nhận phiếu và chờ gọi số trên bảng');
    expect(await overflowing(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-portrait-ticket');
  });

  it('shows the waiting ticket on the board', async () => {
    board = await open('/board', LANDSCAPE);
    await eventually(() => board.locator('[data-service="land"] .b-wcount').textContent()).toBe('1');
    expect(await board.getByTestId('counter-3').textContent()).toBe('—');
  });

  it('calls it from the counter: the board shows it and plays the voice call', async () => {
    counter = await open('/counter?counter=3', LANDSCAPE);
    await counter.locator('[data-action="call-next"]').waitFor();
    await eventually(() => counter.getByTestId('waiting-here').textContent()).toContain('1');
    await counter.click('[data-action="call-next"]');
    await eventually(() => counter.getByTestId('current').textContent()).toBe(number);
    await eventually(() => board.getByTestId('counter-3').textContent()).toBe(number);
    await eventually(() => board.getByTestId('latest-number').textContent()).toBe(number);
    await eventually(() => board.locator('[data-service="land"] .b-wcount').textContent()).toBe('0');
    // The voice call: the audio element got the WAV of this call, and the WAV is served.
    await eventually(() => board.getByTestId('voice').evaluate((a) => (a as HTMLAudioElement).src)).toMatch(/\/api\/v1\/queue\/voice\/\d+\.wav$/);
    const src = await board.getByTestId('voice').evaluate((a) => (a as HTMLAudioElement).src);
    const wav = await fetch(src);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toContain('audio/wav');
    expect(await board.locator('[data-testid="recent"] li').first().textContent()).toContain(number);
    expect(await overflowing(board)).toEqual([]);
    await shot(board, 'board');
  });

  it('completes it and the rating panel asks the citizen (clerk panel and counter tablet); the rating is recorded', async () => {
    const tablet = await open('/counter?counter=3&view=rating', { width: 1280, height: 800 });
    await tablet.locator('.c-tablet-hint').waitFor();
    expect(await tablet.getByTestId('rating').count()).toBe(0);
    await counter.click('[data-action="complete"]');
    const rating = counter.getByTestId('rating');
    await rating.waitFor();
    expect(await rating.getAttribute('data-number')).toBe(number);
    expect(await rating.locator('[data-level]').allTextContents()).toEqual(['Rất hài lòng', 'Hài lòng', 'Không hài lòng']);
    await shot(counter, 'counter-rating');
    // The citizen answers on the tablet; the clerk's panel clears.
    const onTablet = tablet.getByTestId('rating');
    await onTablet.waitFor();
    expect(await onTablet.getAttribute('data-number')).toBe(number);
    expect(await smallTargets(tablet)).toEqual([]);
    await shot(tablet, 'counter-rating-tablet');
    await onTablet.locator('[data-level="very-satisfied"]').click();
    await tablet.getByTestId('rated').waitFor();
    await eventually(() => counter.getByTestId('rating').count()).toBe(0);
    const report = (await (await fetch(`${agent.url}/api/v1/queue/report`)).json()) as { total: { served: number; ratings: Record<string, number> } };
    expect(report.total.ratings['very-satisfied']).toBe(1);
    expect(report.total.served).toBe(1);
    await tablet.close();
  });

  it('recalls and transfers from the counter; the board follows', async () => {
    const issued = await fetch(`${agent.url}/api/v1/queue/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'land', print: false }) });
    const { number: next } = (await issued.json()) as { number: string };
    const behind = (await (await fetch(`${agent.url}/api/v1/queue/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'land', print: false }) })).json()) as { number: string };
    // A double click calls once: the citizen behind is not called and completed unseen.
    await counter.dblclick('[data-action="call-next"]');
    await eventually(() => board.getByTestId('counter-3').textContent()).toBe(next);
    const land = async () => ((await (await fetch(`${agent.url}/api/v1/queue/state`)).json()) as { services: { id: string; waiting: number }[] }).services.find((x) => x.id === 'land')!.waiting;
    await new Promise((r) => setTimeout(r, 300));
    expect(await land()).toBe(1);
    expect(await counter.getByTestId('current').textContent()).toBe(next);
    expect(behind.number).not.toBe(next);
    const voice = () => board.getByTestId('voice').evaluate((a) => (a as HTMLAudioElement).src);
    const firstCall = await voice();
    await counter.click('[data-action="recall"]');
    await eventually(voice).not.toBe(firstCall);
    const civilBefore = Number(await board.locator('[data-service="civil"] .b-wcount').textContent());
    await counter.getByTestId('transfer-service').selectOption('civil');
    await counter.click('[data-action="transfer"]');
    await eventually(() => counter.getByTestId('current').textContent()).toBe('—');
    await eventually(async () => Number(await board.locator('[data-service="civil"] .b-wcount').textContent())).toBe(civilBefore + 1);
  });

  it('fits at 1920×1080 landscape and in English', async () => {
    const page = await open('/kiosk', LANDSCAPE);
    await page.locator('[data-service="land"]').waitFor();
    expect(await overflowing(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    await shot(page, 'kiosk-landscape-home');
    await page.click('[data-service="civil"]');
    await page.locator('[data-priority="war-invalid"]').waitFor();
    expect(await overflowing(page)).toEqual([]);
    await page.click('[data-priority="war-invalid"]');
    await page.getByTestId('ticket-number').waitFor();
    expect(await page.getByTestId('ticket-number').textContent()).toMatch(/^B\d{3}$/);
    expect(await overflowing(page)).toEqual([]);
    await shot(page, 'kiosk-landscape-ticket');
    await page.click('.k-done');
    await page.getByTestId('lang').click();
    await eventually(() => page.locator('.k-title').textContent()).toBe('Please choose a service to take a number');
    expect(await page.locator('.k-service-name').allTextContents()).toEqual(['Land', 'Civil status']);
    expect(await overflowing(page)).toEqual([]);
    await page.getByTestId('lang').click();
    await page.close();
  });

  it('a printer out of paper: the kiosk still shows the number and asks staff for help', async () => {
    const condition = (body: Record<string, boolean>) => fetch(`${agent.url}/api/v1/devices/receipt/condition`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await condition({ paperOut: true })).status).toBe(200);
    try {
      const page = await open('/kiosk?idle=5', PORTRAIT);
      await page.click('[data-service="land"]');
      await page.click('[data-priority=""]');
      await page.getByTestId('ticket-number').waitFor();
      expect(await page.getByTestId('ticket-number').textContent()).toMatch(/^A\d{3}$/);
      const msg = page.getByTestId('print-problem');
      await msg.waitFor({ timeout: 20000 });
      expect(await msg.textContent()).toBe('Máy in phiếu đang gặp sự cố. Xin quý vị ghi nhớ số thứ tự và nhờ cán bộ hỗ trợ.');
      expect(await page.locator('body').textContent()).not.toMatch(/Error|at \w+ \(|stack/i);
      expect(await overflowing(page)).toEqual([]);
      await shot(page, 'kiosk-portrait-paper-out');
      // Idle (5 s here): back to the start by itself, and back to Vietnamese.
      await page.getByTestId('lang').click();
      await eventually(() => page.getByTestId('print-problem').textContent()).toContain('ask a staff member');
      await page.locator('[data-screen="home"]').waitFor({ timeout: 20000 });
      expect(await page.locator('.k-title').textContent()).toBe('Xin mời chọn dịch vụ để lấy số thứ tự');
      await page.close();
    } finally {
      await condition({ paperOut: false });
    }
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
