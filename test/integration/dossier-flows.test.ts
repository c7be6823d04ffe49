/**
 * Dossier flows through the API: receipt validation, event + local row + print job in one
 * transaction (nothing recorded when printing refuses), return by post with a verified S10 item,
 * status from the central side (reference receiver), and the local answer when it is unreachable.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, testConfig, type TestAgent } from '../helpers/agent.ts';
import { Receiver } from '../../src/outbox/receiver.ts';
import { formatDossierCode } from '../../src/dossier/codes.ts';
import { until } from './outbox-helpers.ts';

const H = { host: 'localhost' };
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
const code = (n: number) => formatDossierCode('000.00.21.H30', today(), n);

function receipt(over: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    applicant: { name: 'Nguyễn Văn Bình', address: '12 Lê Lợi, Huế', phone: '0912345678', email: 'binh@example.vn' },
    request: 'Cấp giấy chứng nhận quyền sử dụng đất',
    components: [{ name: 'Đơn đăng ký', originals: 1, copies: 0 }, { name: 'Căn cước công dân', originals: 0, copies: 1 }],
    sets: 1,
    processingTime: '15 ngày làm việc',
    receivedAt: new Date(now - 60_000).toISOString(),
    appointmentAt: new Date(now + 15 * 86_400_000).toISOString(),
    returnMethod: 'counter',
    clerk: 'Trần Thị Hoa',
    ...over,
  };
}

describe('dossier flows', () => {
  let agent: TestAgent;
  let r: Receiver;
  const logLines: string[] = [];
  let hang: http.Server;

  beforeAll(async () => {
    r = await new Receiver().start();
    agent = await startAgent(testConfig({
      queue: { role: 'host', services: [], counters: [] },
      central: { transport: 'http', http: { url: r.url, statusUrl: r.statusUrl, statusCacheMs: 60000, statusTimeoutMs: 500 } },
    }), { logLines });
    hang = http.createServer(() => undefined);
    await new Promise<void>((res) => hang.listen(0, '127.0.0.1', res));
  });
  afterAll(async () => {
    await agent.cleanup();
    await r.close();
    hang.closeAllConnections();
    await new Promise((res) => hang.close(res));
  });

  const post = (path: string, payload: unknown) => agent.fastify.inject({ method: 'POST', url: `/api/v1/dossiers/${path}`, headers: H, payload: payload as object });

  it('receives: one event, one print job, one local row; the central side gets it and answers the status', async () => {
    const c = code(1);
    const res = await post(`${c}/receive`, receipt());
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ code: c, eventId: expect.any(String), printJobId: expect.any(String) });
    expect(agent.ctx.printing.get(body.printJobId)).toMatchObject({ template: 'dossier-receipt' });
    await until(() => r.events.some((e) => e.id === body.eventId));
    const ev = r.events.find((e) => e.id === body.eventId)!;
    expect(ev).toMatchObject({ type: 'hcc.dossier.received', subject: c, source: 'urn:hcc:test-site:test-desk' });
    expect(ev.data).toMatchObject({ dossierCode: c, applicant: { name: 'Nguyễn Văn Bình' }, agencyCode: '000.00.21.H30', returnMethod: 'counter' });

    const st = (await agent.fastify.inject({ url: `/api/v1/dossiers/${c}`, headers: H })).json();
    expect(st).toMatchObject({ code: c, centralReachable: true, status: 'processing', appointmentAt: (ev.data as { appointmentAt: string }).appointmentAt, cached: false });
    expect(st.local).toMatchObject({ receiptPrintJobId: body.printJobId });
    expect(JSON.stringify(st)).not.toContain('Nguyễn'); // a kiosk answer carries no personal data
    const again = (await agent.fastify.inject({ url: `/api/v1/dossiers/${c}`, headers: H })).json();
    expect(again.cached).toBe(true);

    expect((await post(`${c}/receive`, receipt())).statusCode).toBe(409);
    // personal data never reaches the log
    const log = logLines.join('');
    expect(log).toContain(c);
    for (const p of ['Nguyễn Văn Bình', '0912345678', 'binh@example.vn', '12 Lê Lợi']) expect(log).not.toContain(p);
  });

  it('refuses receipts that do not make sense', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['not-a-code/receive', receipt(), /bad-dossier-code/],
      [`${code(2)}/receive`, receipt({ appointmentAt: new Date(Date.now() - 86_400_000).toISOString() }), /after the receipt/],
      [`${code(2)}/receive`, receipt({ receivedAt: new Date(Date.now() + 3_600_000).toISOString() }), /future/],
      [`${formatDossierCode('000.00.21.H30', '2025-01-02', 3)}/receive`, receipt(), /received on 2025-01-02/],
      [`${code(2)}/receive`, receipt({ returnMethod: 'post', applicant: { name: 'A' } }), /address/],
      [`${code(2)}/receive`, receipt({ components: [{ name: 'X', originals: 0, copies: 0 }] }), /no originals/],
      [`${code(2)}/receive`, receipt({ surprise: 1 }), /bad-request/],
      // Date.parse would roll 31 February over to March: the receipt would show a date nobody chose.
      [`${code(2)}/receive`, receipt({ appointmentAt: `${new Date().getFullYear() + 1}-02-31T09:00:00+07:00` }), /appointmentAt is not a real date and time/],
    ];
    for (const [path, body, re] of cases) {
      const res = await post(path, body);
      expect(res.statusCode, path).toBe(400);
      expect(res.body).toMatch(re);
      expect(res.json().messageVi).toBeTruthy();
    }
  });

  it('records nothing when the print job cannot be queued (one transaction)', async () => {
    const before = agent.ctx.outbox.status();
    const c = code(4);
    const res = await post(`${c}/receive`, receipt({ printer: 'no-such-printer' }));
    expect(res.statusCode).toBe(404);
    const after = agent.ctx.outbox.status();
    expect(after.pending + after.delivered).toBe(before.pending + before.delivered);
    expect(agent.ctx.db.prepare('SELECT COUNT(*) AS n FROM dossiers WHERE code = ?').get(c)).toEqual({ n: 0 });
  });

  it('returns a result by post with a verified S10 item number', async () => {
    const c = code(5);
    expect((await post(`${c}/receive`, receipt({ returnMethod: 'post' }))).statusCode).toBe(201);
    const badDigit = await post(`${c}/return`, { returnMethod: 'post', postalItem: 'EE123456784VN', clerk: 'Hoa' });
    expect(badDigit.statusCode).toBe(400);
    expect(badDigit.json().message).toMatch(/expected 5/);
    expect((await post(`${c}/return`, { returnMethod: 'post', clerk: 'Hoa' })).json().error).toBe('postal-item-required');
    expect((await post(`${c}/return`, { returnMethod: 'counter', postalItem: 'EE123456785VN', clerk: 'Hoa' })).json().error).toBe('postal-item-unexpected');
    const ok = await post(`${c}/return`, { returnMethod: 'post', postalItem: 'EE123456785VN', clerk: 'Hoa' });
    expect(ok.statusCode, ok.body).toBe(201);
    const { eventId, printJobId } = ok.json();
    expect(agent.ctx.printing.get(printJobId)).toMatchObject({ template: 'result-slip' });
    await until(() => r.events.some((e) => e.id === eventId));
    expect(r.events.find((e) => e.id === eventId)).toMatchObject({ type: 'hcc.dossier.result.returned', subject: c, data: { postalItem: 'EE123456785VN', returnMethod: 'post', applicantName: 'Nguyễn Văn Bình' } });
    expect((await post(`${c}/return`, { returnMethod: 'counter', clerk: 'Hoa' })).statusCode).toBe(409);
    // a dossier received at another desk needs the applicant name
    expect((await post(`${code(6)}/return`, { returnMethod: 'counter', clerk: 'Hoa' })).json().error).toBe('applicant-name-required');
    expect((await post(`${code(6)}/return`, { returnMethod: 'counter', clerk: 'Hoa', applicantName: 'Lê Văn C' })).statusCode).toBe(201);
    // … and once its result is back with the citizen it cannot be received here (a clear 409, not a 500).
    const again = await post(`${code(6)}/receive`, receipt());
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'already-returned', messageVi: expect.stringContaining('đã trả kết quả') });
    expect((await post(`${code(7)}/return`, { returnMethod: 'counter', clerk: 'Hoa', applicantName: 'Lê Văn D', returnedAt: '2026-02-30T09:00:00+07:00' })).json()).toMatchObject({ error: 'bad-date' });
    // A code dated after today has no result yet: refused, and nothing recorded for it.
    const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now() + 2 * 86_400_000);
    const future = formatDossierCode('000.00.21.H30', tomorrow, 8);
    const early = await post(`${future}/return`, { returnMethod: 'counter', clerk: 'Hoa', applicantName: 'Lê Văn E' });
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({ error: 'bad-date', messageVi: expect.stringContaining('sau ngày hôm nay') });
    expect((await agent.fastify.inject({ url: `/api/v1/dossiers/${future}`, headers: H })).json().local).toBeNull();
  });

  it('answers from local knowledge, plainly, when the central side is unreachable or slow', async () => {
    const c = code(7);
    const rec = (await post(`${c}/receive`, receipt())).json();
    for (const statusUrl of ['http://127.0.0.1:1/api/dossiers/{code}', `http://127.0.0.1:${(hang.address() as AddressInfo).port}/x/{code}`]) {
      // a second agent on the same data directory, configured with a dead or silent central side
      const a2 = await startAgent(testConfig({ agent: { dataDir: agent.ctx.config.agent.dataDir }, queue: { role: 'host', services: [], counters: [] }, central: { transport: 'none', http: { statusUrl, statusTimeoutMs: 300 } } }));
      const t0 = Date.now();
      const res = await a2.fastify.inject({ url: `/api/v1/dossiers/${c}`, headers: H });
      expect(Date.now() - t0).toBeLessThan(3000);
      await a2.stop();
      expect(res.statusCode).toBe(200);
      const st = res.json();
      expect(st).toMatchObject({ code: c, centralReachable: false, local: { receiptPrintJobId: rec.printJobId } });
      expect(st.message).toMatch(/could not be checked/);
      expect(st.messageVi).toMatch(/Hiện không kiểm tra được/);
    }
    expect((await agent.fastify.inject({ url: '/api/v1/dossiers/nonsense', headers: H })).statusCode).toBe(400);
  });
});
