/**
 * The counter receives a dossier by picking a procedure, as a clerk would at 1366×768: typing
 * "ho kinh doanh" without diacritics suggests the procedure; picking it fills the request, the
 * papers as a checklist (optional ones unticked and marked), the processing time, the appointment
 * with its weekday, and the fee; the printed receipt carries the fee's VietQR; the clerk records
 * the transfer. The other screen size (1920×1080) shows the same without overflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dossierCodeOn } from '../helpers/codes.ts';
import { eventually, launch, LANDSCAPE, overflowing, shot, uiAgent, watchErrors } from './browser.ts';
import { projectPath } from '../../src/paths.ts';

let browser: Browser;
let agent: Awaited<ReturnType<typeof uiAgent>>;
let page: Page;
let errors: string[] = [];

beforeAll(async () => {
  [browser, agent] = await Promise.all([
    launch(),
    uiAgent({
      procedures: { files: [projectPath('config', 'procedures')] },
      payments: { vietqr: { bankBin: '970415', accountNumber: '113366668888', accountName: 'TRUNG TAM PVHCC' } },
    }),
  ]);
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  errors = watchErrors(page);
  await page.goto(`${agent.url}/counter?counter=1`);
  await page.locator('.c-head .dot.on').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
});

describe('counter: receiving by procedure', { timeout: 60000 }, () => {
  it('suggests procedures as the clerk types, without diacritics, and says when none matches', async () => {
    const box = page.locator('[data-field="procedure"]');
    await box.fill('xyzzy');
    await eventually(() => page.getByTestId('procedure-none').isVisible()).toBe(true);
    expect(await page.getByTestId('procedure-none').textContent()).toMatch(/Không tìm thấy thủ tục/);
    await box.fill('ho kinh doanh');
    const option = page.locator('[data-testid="procedure-suggestions"] button[data-code="1.001612"]');
    await option.waitFor();
    expect(await option.textContent()).toContain('Đăng ký thành lập hộ kinh doanh');
  });

  it('picking it fills the form: papers to tick, processing time, appointment with weekday, fee', async () => {
    await page.locator('[data-testid="procedure-suggestions"] button[data-code="1.001612"]').click();
    const form = page.getByTestId('receipt-form');
    expect(await form.locator('[data-field="request"]').inputValue()).toBe('Đăng ký thành lập hộ kinh doanh');
    const names = await form.getByTestId('component-text').allTextContents();
    expect(names).toHaveLength(4);
    expect(names[0]).toBe('Giấy đề nghị đăng ký hộ kinh doanh');
    const ticks = await form.locator('[data-field="received"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked));
    expect(ticks).toEqual([true, true, false, false]); // the two optional papers wait for the clerk
    expect(await page.getByTestId('components').textContent()).toContain('Khi các thành viên hộ gia đình cùng đăng ký');
    expect(await form.locator('[data-field="processingTime"]').inputValue()).toBe('3 ngày làm việc');
    // The appointment comes from the agent's calendar and shows its weekday.
    const expected = (await (await fetch(`${agent.url}/api/v1/calendar/appointment?workingDays=3`)).json()) as { appointmentAt: string };
    await eventually(() => page.getByTestId('appointment-note').textContent()).toMatch(/^Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|^Chủ nhật/);
    const local = new Date(Date.parse(expected.appointmentAt) + 7 * 3_600_000).toISOString().slice(0, 16);
    expect(await form.locator('[data-field="appointmentAt"]').inputValue()).toBe(local);
    expect(await form.locator('[data-field="fee"]').inputValue()).toBe('100000');
    expect(await overflowing(page)).toEqual([]);
    await shot(page, 'counter-procedure');
  });

  it('prints the receipt with the fee and its VietQR, then records the transfer', async () => {
    const form = page.getByTestId('receipt-form');
    const code = dossierCodeOn(31);
    await form.locator('[data-field="dossierCode"]').fill(code);
    await form.locator('[data-field="name"]').fill('Nguyễn Văn An');
    await page.locator('[data-field="clerk"]').fill('Trần Thị Bình');
    // One optional paper was brought after all.
    await form.locator('[data-field="received"]').nth(2).check();
    await page.getByTestId('print-receipt').click();
    await eventually(() => page.getByTestId('receipt-status').textContent()).toContain(code);
    await page.getByTestId('receipt-preview-img').waitFor();
    expect(await page.getByTestId('payment').textContent()).toContain('100.000');
    // What was recorded: the procedure, three papers, the fee line.
    const jobs = (await (await fetch(`${agent.url}/api/v1/print/jobs`)).json()) as { id: string; subject: string }[];
    expect(jobs.some((j) => j.subject === code)).toBe(true);
    await page.getByTestId('paid-transfer').click();
    await eventually(() => page.getByTestId('payment-status').textContent()).toMatch(/Đã ghi nhận thu phí/);
    const status = (await (await fetch(`${agent.url}/api/v1/dossiers/${code}`, { headers: { host: 'localhost' } })).json()) as { local: { fee: number; feePaidAt?: string } };
    expect(status.local).toMatchObject({ fee: 100000, feePaidAt: expect.any(String) });
    await page.setViewportSize(LANDSCAPE);
    expect(await overflowing(page)).toEqual([]);
    await shot(page, 'counter-procedure-paid', true);
    expect(errors).toEqual([]);
  });
});
