/**
 * "Tra cứu giấy tờ cần chuẩn bị" on the kiosk in a real browser at 1080×1920: the catalogue by
 * field, a search typed on the on-screen keyboard without diacritics, a procedure's papers (counts,
 * optional ones marked), time and fee; no match, an empty catalogue, an unreachable agent; English;
 * back to the start when idle. Catalogue: config/procedures/example.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { projectPath } from '../../src/paths.ts';
import { tempDir } from '../helpers/agent.ts';
import { eventually, launch, LANDSCAPE, overflowing, PORTRAIT, shot, smallTargets, uiAgent, watchErrors } from './browser.ts';

let browser: Browser;
let agent: Awaited<ReturnType<typeof uiAgent>>;
let emptyAgent: Awaited<ReturnType<typeof uiAgent>>;
const errors: string[] = [];

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: PORTRAIT });
  errors.push(...watchErrors(page));
  await page.goto(url);
  return page;
}

/** Types on the on-screen keyboard, key by key, as a citizen would. */
async function type(page: Page, text: string): Promise<void> {
  for (const c of text) await page.click(`[data-key="${c === ' ' ? 'space' : c}"]`);
}

/** The results once they answer what is in the box (nothing dimmed or loading). */
async function settled(page: Page): Promise<void> {
  await eventually(() => page.locator('[data-testid="proc-loading"], .k-stale').count()).toBe(0);
}

const cardNames = (page: Page) => page.locator('.k-proc-name').allTextContents();

beforeAll(async () => {
  [browser, agent, emptyAgent] = await Promise.all([
    launch(),
    uiAgent({ procedures: { files: [projectPath('config', 'procedures')] } }),
    uiAgent({ procedures: { files: [tempDir('hcc-no-procedures-')] } }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
  await emptyAgent?.cleanup();
});

describe('papers to bring on the kiosk', { timeout: 60000 }, () => {
  let kiosk: Page;

  it('lists the whole catalogue by field, then finds "ket hon" typed without diacritics', async () => {
    kiosk = await open(`${agent.url}/kiosk`);
    await kiosk.getByTestId('papers').click();
    await kiosk.locator('[data-screen="procedures"] .k-proc').first().waitFor();
    await settled(kiosk);
    expect(await kiosk.locator('.k-title').textContent()).toBe('Tra cứu giấy tờ cần chuẩn bị');
    expect(await kiosk.locator('.k-proc').count()).toBe(7);
    expect(await kiosk.locator('.k-field').allTextContents()).toEqual(['Hộ tịch', 'Chứng thực', 'Thành lập và hoạt động của hộ kinh doanh', 'Đất đai']);
    expect(await overflowing(kiosk)).toEqual([]);
    expect(await smallTargets(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-procedures-all');

    await type(kiosk, 'ket hon');
    expect(await kiosk.getByTestId('proc-query').inputValue()).toBe('ket hon');
    await settled(kiosk);
    expect(await cardNames(kiosk)).toEqual(['Thủ tục đăng ký kết hôn']);
    expect(await kiosk.locator('.k-proc-sub').allTextContents()).toEqual(['Hộ tịch']);
    expect(await kiosk.getByTestId('proc-count').textContent()).toBe('Tìm thấy 1 thủ tục');
    expect(await overflowing(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-procedures-search');

    // Delete and Clear; a code typed with digits and ".".
    await kiosk.click('[data-key="delete"]');
    expect(await kiosk.getByTestId('proc-query').inputValue()).toBe('ket ho');
    await kiosk.click('[data-key="clear"]');
    await type(kiosk, '1.0011');
    await settled(kiosk);
    expect(await kiosk.locator('.k-proc').getAttribute('data-code')).toBe('1.001193');
  });

  it('says so when nothing matches, and what to do', async () => {
    await kiosk.click('[data-key="clear"]');
    await type(kiosk, 'xyzq');
    await settled(kiosk);
    const msg = kiosk.getByTestId('proc-nomatch');
    expect(await msg.textContent()).toContain('Không tìm thấy thủ tục phù hợp');
    expect(await msg.textContent()).toContain('hỏi cán bộ');
    expect(await kiosk.locator('.k-proc').count()).toBe(0);
    await shot(kiosk, 'kiosk-procedures-nomatch');
  });

  it('shows the papers of "Đăng ký thành lập hộ kinh doanh" with counts, optional ones marked, fee and time', async () => {
    await kiosk.click('[data-key="clear"]');
    await settled(kiosk);
    await kiosk.click('.k-proc[data-code="1.001612"]');
    const proc = kiosk.getByTestId('procedure');
    await proc.waitFor();
    expect(await proc.locator('.k-proc-title').textContent()).toBe('Đăng ký thành lập hộ kinh doanh');
    expect(await proc.locator('[data-field="code"]').textContent()).toBe('1.001612');
    expect(await proc.locator('[data-field="agency"]').textContent()).toBe('Phòng Tài chính – Kế hoạch cấp huyện');
    expect(await kiosk.getByTestId('proc-time').textContent()).toBe('3 ngày làm việc');
    const papers = proc.locator('.k-paper');
    expect(await papers.count()).toBe(4);
    expect(await papers.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-required')))).toEqual(['true', 'true', 'false', 'false']);
    expect(await papers.locator('.k-paper-count').allTextContents()).toEqual(['1 bản chính', '1 bản sao', '1 bản chính', '1 bản sao']);
    expect(await papers.nth(0).locator('.k-paper-name').textContent()).toBe('Giấy đề nghị đăng ký hộ kinh doanh');
    expect(await papers.nth(0).getByTestId('if-needed').count()).toBe(0);
    expect(await papers.nth(2).getByTestId('if-needed').textContent()).toBe('Khi cần');
    expect(await papers.nth(2).locator('.k-paper-note').textContent()).toBe('Khi các thành viên hộ gia đình cùng đăng ký');
    expect(await papers.nth(3).getByTestId('if-needed').textContent()).toBe('Khi cần');
    expect(await kiosk.getByTestId('fee-amount').allTextContents()).toEqual(['100.000 đồng']);
    expect(await kiosk.getByTestId('returns').locator('li').count()).toBe(2);
    // The expected result day from the working calendar, weekday in Vietnamese.
    await eventually(() => kiosk.getByTestId('proc-expected').count()).toBe(1);
    expect(await kiosk.getByTestId('proc-expected').textContent()).toMatch(/^Nếu nộp hồ sơ ngay bây giờ, dự kiến có kết quả vào (hôm nay, )?(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật), \d{2}\/\d{2}\/\d{4}\./);
    expect(await overflowing(kiosk)).toEqual([]);
    expect(await smallTargets(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-procedure-portrait');
  });

  it('switches to English labels (English name when the catalogue has one)', async () => {
    await kiosk.getByTestId('lang').click();
    await eventually(() => kiosk.locator('.k-proc-title').textContent()).toBe('Household business registration');
    expect(await kiosk.locator('.k-section').allTextContents()).toEqual(['Papers to bring', 'Fees', 'Getting the result']);
    expect(await kiosk.getByTestId('proc-time').textContent()).toBe('3 working days');
    expect(await kiosk.getByTestId('if-needed').allTextContents()).toEqual(['If applicable', 'If applicable']);
    expect(await kiosk.locator('.k-paper-count').allTextContents()).toEqual(['1 original', '1 copy', '1 original', '1 copy']);
    expect(await kiosk.getByTestId('fee-amount').allTextContents()).toEqual(['100.000 VND']);
    await eventually(() => kiosk.getByTestId('proc-expected').textContent()).toMatch(/^If you submit now, the result is expected on (today, )?[A-Z][a-z]+day, \d{2}\/\d{2}\/\d{4}\./);
    expect(await overflowing(kiosk)).toEqual([]);
    await shot(kiosk, 'kiosk-procedure-portrait-en');
    await kiosk.getByTestId('back-to-list').click();
    await settled(kiosk);
    expect(await kiosk.locator('.k-title').textContent()).toBe('Papers to bring');
    expect(await kiosk.locator('.k-count').textContent()).toBe('All procedures by field');
    expect(await cardNames(kiosk)).toContain('Marriage registration');
    await kiosk.getByTestId('lang').click();
    await eventually(() => kiosk.locator('.k-title').textContent()).toBe('Tra cứu giấy tờ cần chuẩn bị');
  });

  it('same-day procedures, free and open fees; "Lấy số thứ tự" goes to the ticket screen', async () => {
    await kiosk.click('.k-proc[data-code="1.001193"]');
    await kiosk.getByTestId('procedure').waitFor();
    expect(await kiosk.getByTestId('proc-time').textContent()).toBe('Trong ngày');
    expect(await kiosk.getByTestId('fee-amount').allTextContents()).toEqual(['Miễn phí']);
    await kiosk.getByTestId('back-to-list').click();
    await settled(kiosk);
    await kiosk.click('.k-proc[data-code="1.000894"]');
    await kiosk.getByTestId('procedure').waitFor();
    expect(await kiosk.getByTestId('fee-amount').allTextContents()).toEqual(['Theo quy định (cán bộ sẽ báo số tiền)']);
    await kiosk.getByTestId('get-ticket').click();
    await kiosk.locator('[data-screen="home"] [data-service="land"]').waitFor();
  });

  it('fits a 1920×1080 landscape kiosk: keyboard beside the results', async () => {
    const page = await browser.newPage({ viewport: LANDSCAPE });
    errors.push(...watchErrors(page));
    await page.goto(`${agent.url}/kiosk`);
    await page.getByTestId('papers').click();
    await page.locator('.k-proc').first().waitFor();
    await type(page, 'dang ky');
    await settled(page);
    expect((await cardNames(page)).length).toBeGreaterThan(3);
    const keys = await page.getByTestId('keyboard').boundingBox();
    const results = await page.getByTestId('proc-results').boundingBox();
    expect(results!.x).toBeGreaterThanOrEqual(keys!.x + keys!.width);
    expect(await overflowing(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
    await shot(page, 'kiosk-procedures-landscape');
    await page.close();
  });

  it('says the catalogue cannot be loaded when the agent does not answer', async () => {
    const page = await open(`${agent.url}/kiosk`);
    await page.route('**/api/v1/procedures?**', (r) => r.abort());
    await page.getByTestId('papers').click();
    await eventually(() => page.getByTestId('proc-error').textContent()).toBe('Hiện chưa tải được danh mục thủ tục. Xin vui lòng thử lại hoặc hỏi cán bộ tại quầy.');
    expect(await page.locator('.k-proc').count()).toBe(0);
    await page.unroute('**/api/v1/procedures?**');
    await page.getByRole('button', { name: 'Thử lại' }).click();
    await eventually(() => page.locator('.k-proc').count()).toBe(7);
    await page.close();
  });

  it('an empty catalogue: asks to see staff, no keyboard', async () => {
    const page = await open(`${emptyAgent.url}/kiosk`);
    await page.getByTestId('papers').click();
    await eventually(() => page.getByTestId('proc-empty').textContent()).toBe('Chưa có danh mục thủ tục; vui lòng hỏi cán bộ tại quầy.');
    expect(await page.getByTestId('keyboard').count()).toBe(0);
    expect(await overflowing(page)).toEqual([]);
    await shot(page, 'kiosk-procedures-empty');
    await page.close();
  });

  it('returns to the start (and Vietnamese) when idle', async () => {
    const page = await open(`${agent.url}/kiosk?idle=3`);
    await page.getByTestId('papers').click();
    await page.locator('.k-proc').first().waitFor();
    await page.getByTestId('lang').click();
    await page.click('.k-proc[data-code="1.001612"]');
    await page.getByTestId('procedure').waitFor();
    await page.locator('[data-screen="home"]').waitFor({ timeout: 15000 });
    expect(await page.locator('.k-title').textContent()).toBe('Xin mời chọn dịch vụ để lấy số thứ tự');
    await page.close();
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
