/**
 * The clerk's counter page in a real browser: a scanned CCCD QR fills the applicant fields (and
 * the scan list masks the ID number), a 10-page scan session shows its thumbnails arriving and
 * ends with the PDFs, and a receipt printed from the form shows its preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, LANDSCAPE, shot, uiAgent, watchErrors } from './browser.ts';

const CCCD = '001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021';
const CODE = '000.00.21.H30-261122-0001';

let browser: Browser;
let agent: Awaited<ReturnType<typeof uiAgent>>;
let page: Page;
let errors: string[] = [];

async function simulateScan(data: string): Promise<void> {
  const r = await fetch(`${agent.url}/api/v1/devices/barcode/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  expect(r.status).toBe(202);
}

beforeAll(async () => {
  [browser, agent] = await Promise.all([launch(), uiAgent()]);
  page = await browser.newPage({ viewport: LANDSCAPE });
  errors = watchErrors(page);
  await page.goto(`${agent.url}/counter?counter=3`);
  await page.locator('.c-head .dot.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
});

describe('counter page', () => {
  it('fills the applicant from a scanned CCCD QR', async () => {
    await simulateScan(CCCD);
    const form = page.getByTestId('receipt-form');
    await expect.poll(() => form.locator('[data-field="name"]').inputValue()).toBe('Nguyễn Văn An');
    expect(await form.locator('[data-field="idNumber"]').inputValue()).toBe('001099012345');
    expect(await form.locator('[data-field="dob"]').inputValue()).toBe('1990-01-01');
    expect(await form.locator('[data-field="address"]').inputValue()).toBe('Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội');
    expect(await page.getByTestId('cccd-note').textContent()).toBe('Đã điền thông tin từ CCCD');
    // The scan list shows that an ID card was read, not whose.
    const listed = await page.getByTestId('scans').textContent();
    expect(listed).toContain('••••2345');
    expect(listed).not.toContain('Nguyễn');
    expect(listed).not.toContain('001099012345');
  });

  it('runs a 10-page scan session: 10 thumbnails arrive, then the PDFs', async () => {
    await page.locator('[data-field="dossierCode"]').fill(CODE);
    await page.getByTestId('start-scan').click();
    const thumbs = page.locator('[data-testid="thumbs"] [data-page]');
    await expect.poll(() => thumbs.count(), { timeout: 30000 }).toBe(10);
    const docs = page.getByTestId('scan-docs').locator('a');
    await expect.poll(() => docs.count(), { timeout: 30000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('scan-progress').evaluate((p) => (p as HTMLProgressElement).position)).toBe(1);
    // Every page has its thumbnail image; each PDF link serves a PDF.
    expect(await page.locator('[data-testid="thumbs"] img[data-page]').count()).toBe(10);
    for (const href of await docs.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      const r = await fetch(href);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    }
    await shot(page, 'counter');
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
