/**
 * The clerk's counter page in a real browser: a scanned CCCD QR fills the applicant fields (and
 * the scan list masks the ID number), a 10-page scan session shows its thumbnails arriving and
 * ends with the PDFs, a receipt printed from the form shows its preview (thermal) or PDF (A4),
 * the result goes back with its slip. The kiosk's "Tra cứu hồ sơ" shows the central status of a
 * scanned receipt, and a plain message with what the centre knows when the central system is down.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dossierCodeOn } from '../helpers/codes.ts';
import { eventually, launch, LANDSCAPE, overflowing, PORTRAIT, shot, uiAgent, watchErrors } from './browser.ts';

const CCCD = '001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021';
// Today's codes: the agent refuses a code dated another day.
const CODE = dossierCodeOn(1);
const CODE_A4 = dossierCodeOn(2);
const COMPONENTS = ['Đơn đăng ký', 'Giấy tờ về đất'];

let browser: Browser;
let agent: Awaited<ReturnType<typeof uiAgent>>;
let page: Page;
let errors: string[] = [];
let central: Server;
/** The central status service: answers, or drops the connection as if unreachable. */
let centralDown = false;

async function simulateScan(data: string): Promise<void> {
  const r = await fetch(`${agent.url}/api/v1/devices/barcode/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  expect(r.status).toBe(202);
}

beforeAll(async () => {
  central = createServer((req, res) => {
    if (centralDown) return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'processing', statusText: 'Being processed', statusTextVi: 'Đang giải quyết', appointmentAt: '2026-12-07T01:00:00Z' }));
  });
  await new Promise<void>((r) => central.listen(0, '127.0.0.1', r));
  const statusUrl = `http://127.0.0.1:${(central.address() as AddressInfo).port}/dossiers/{code}`;
  [browser, agent] = await Promise.all([
    launch(),
    uiAgent({
      central: { transport: 'none', http: { statusUrl, statusTimeoutMs: 1000 } },
      // The feeder holds 10 pages for two components, each share preceded by a separator sheet.
      devices: [
        { id: 'receipt', type: 'printer', driver: 'simulated', width: 576 },
        // The desk's A4 printer: an A4 receipt goes there, never to the receipt roll.
        { id: 'a4', type: 'printer', driver: 'simulated', format: 'pdf' },
        { id: 'barcode', type: 'barcode', driver: 'simulated' },
        { id: 'docs', type: 'document-scanner', driver: 'simulated', pages: 10, components: COMPONENTS },
      ],
    }),
  ]);
  page = await browser.newPage({ viewport: LANDSCAPE });
  errors = watchErrors(page);
  await page.goto(`${agent.url}/counter?counter=3`);
  await page.locator('.c-head .dot.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
  await new Promise((r) => central?.close(r));
});

describe('counter page', { timeout: 60000 }, () => {
  it('fills the applicant from a scanned CCCD QR (and says so when the QR is malformed)', async () => {
    await simulateScan('001099012345|123456789|Nguyễn Văn An');
    await eventually(() => page.getByTestId('cccd-note').textContent()).toBe('Mã QR căn cước không hợp lệ');
    expect(await page.locator('[data-field="name"]').inputValue()).toBe('');
    await simulateScan(CCCD);
    const form = page.getByTestId('receipt-form');
    await eventually(() => form.locator('[data-field="name"]').inputValue()).toBe('Nguyễn Văn An');
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

  it('runs a 10-page scan session: 10 thumbnails arrive grouped by component, then the PDFs', async () => {
    await page.locator('[data-field="dossierCode"]').fill(CODE);
    // The receipt's components are the session's expected components.
    await page.locator('[data-field="componentName"]').first().fill(COMPONENTS[0]);
    await page.getByRole('button', { name: 'Thêm giấy tờ' }).click();
    await page.locator('[data-field="componentName"]').nth(1).fill(COMPONENTS[1]);
    await page.getByTestId('start-scan').click();
    const pages = page.locator('[data-testid="thumbs"] img[data-kind="page"]');
    await eventually(() => pages.count(), 60000).toBe(10);
    const docs = page.getByTestId('scan-docs').locator('a');
    await eventually(() => docs.count(), 30000).toBe(2);
    expect(await page.getByTestId('scan-progress').evaluate((p) => (p as HTMLProgressElement).position)).toBe(1);
    // Grouped: five pages per component; the two separator sheets are shown apart, not kept.
    for (const c of COMPONENTS) expect(await page.locator(`.c-thumb-group[data-component="${c}"] img`).count()).toBe(5);
    expect(await page.locator('[data-testid="thumbs"] [data-kind="separator"]').count()).toBe(2);
    expect(await page.getByTestId('scan-status').textContent()).toContain('10/12');
    // Each PDF link serves a PDF.
    for (const href of await docs.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      const r = await fetch(href);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    }
    await shot(page, 'counter');
  }, 90000);

  it('receives the dossier: the receipt prints and its preview shows', async () => {
    const form = page.getByTestId('receipt-form');
    await form.locator('[data-field="dossierCode"]').fill(CODE);
    await form.locator('[data-field="phone"]').fill('0912 345 678');
    await form.locator('[data-field="request"]').fill('Cấp giấy chứng nhận quyền sử dụng đất lần đầu');
    await form.locator('[data-field="componentName"]').first().fill('Đơn đăng ký cấp Giấy chứng nhận');
    await page.locator('[data-field="clerk"]').fill('Trần Thị Bình');
    await page.getByTestId('print-receipt').click();
    await eventually(() => page.getByTestId('receipt-status').textContent()).toBe(`Đã gửi: ${CODE}`);
    const img = page.getByTestId('receipt-preview-img');
    await img.waitFor();
    await eventually(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(576);
    const png = await fetch(agent.url + (await img.getAttribute('src')));
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    await eventually(() => page.getByTestId('job-state').textContent(), 15000).toContain('printed');
    await shot(page, 'counter-receipt', true);

    // The same form on A4: the receipt as a PDF.
    await form.locator('[data-field="dossierCode"]').fill(CODE_A4);
    await form.locator('[data-field="format"]').selectOption('a4');
    await page.getByTestId('print-receipt').click();
    const pdf = page.getByTestId('receipt-pdf');
    await pdf.waitFor();
    const r = await fetch(agent.url + (await pdf.getAttribute('href')));
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    // It printed on the A4 printer, and the receipt roll got nothing of it.
    const rollBytes = (agent.ctx.devices.get('receipt') as unknown as { received: number }).received;
    await eventually(() => page.getByTestId('job-state').textContent(), 15000).toContain('printed');
    const a4 = agent.ctx.devices.get('a4') as unknown as { documents: Buffer[] };
    expect(a4.documents.map((d) => d.subarray(0, 5).toString())).toEqual(['%PDF-']);
    expect((agent.ctx.devices.get('receipt') as unknown as { received: number }).received).toBe(rollBytes);
  }, 60000);

  it('the kiosk shows the central status of a scanned receipt', async () => {
    const kiosk = await browser.newPage({ viewport: PORTRAIT });
    errors.push(...watchErrors(kiosk));
    await kiosk.goto(`${agent.url}/kiosk`);
    await kiosk.locator('[data-service]').first().waitFor();
    await kiosk.getByTestId('lookup').click();
    await kiosk.getByTestId('scan-hint').waitFor();
    // Not a receipt: a plain hint, nothing of what was read.
    await simulateScan('HELLO-123');
    await eventually(() => kiosk.getByTestId('not-receipt').textContent()).toBe('Mã vừa quét không phải mã hồ sơ. Xin quét mã QR trên giấy tiếp nhận hồ sơ.');
    expect(await kiosk.locator('body').textContent()).not.toContain('HELLO');
    await simulateScan(CODE);
    const dossier = kiosk.getByTestId('dossier');
    await eventually(() => dossier.locator('[data-field="status"]').textContent()).toBe('Đang giải quyết');
    expect(await dossier.locator('[data-field="appointment"]').textContent()).toContain('07/12/2026');
    expect(await overflowing(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-portrait-lookup');
    // The counter opened the same dossier in its return panel.
    await eventually(() => page.getByTestId('dossier-status').textContent()).toBe('Đang giải quyết');

    // Central down: a plain message and what the centre recorded at reception.
    centralDown = true;
    await simulateScan(CODE_A4);
    const down = kiosk.getByTestId('central-down');
    await down.waitFor({ timeout: 10000 });
    expect(await down.textContent()).toContain('không kết nối được hệ thống một cửa');
    expect(await dossier.locator('[data-field="status"]').textContent()).toBe('Đã tiếp nhận tại trung tâm, đang giải quyết');
    expect(await dossier.locator('[data-field="received"]').count()).toBe(1);
    expect(await overflowing(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-portrait-central-down');
    await kiosk.close();
    centralDown = false;
  });

  it('returns the result with its slip', async () => {
    const form = page.getByTestId('return-form');
    await form.locator('[data-field="returnCode"]').fill(CODE);
    await form.locator('[data-field="receivedBy"]').fill('Nguyễn Văn An');
    await page.getByTestId('return-result').click();
    await eventually(() => page.getByTestId('return-status').textContent()).toBe(`Đã gửi: ${CODE}`);
    const img = page.getByTestId('slip-preview').locator('img');
    await img.waitFor();
    await eventually(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(576);
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
