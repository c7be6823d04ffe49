/**
 * Personal data never reaches the logs: a full kiosk + counter + scan flow at debug level, then
 * the log output is searched for the test citizen's ID numbers, name, address, phone and email.
 */
import { describe, it, expect } from 'vitest';
import WebSocket from 'ws';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { dossierCodeOn } from '../helpers/codes.ts';
import { waitFor } from '../helpers/wait.ts';

const CITIZEN = {
  id: '001099012345',
  oldId: '123456789',
  name: 'Nguyễn Thị Thu Hương',
  dob: '01011990',
  address: 'Số 18 Ngõ Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội',
  issued: '15082021',
  phone: '0912345678',
  email: 'huong.nguyen@example.vn',
};
const QR = `${CITIZEN.id}|${CITIZEN.oldId}|${CITIZEN.name}|${CITIZEN.dob}|Nữ|${CITIZEN.address}|${CITIZEN.issued}`;
const SECRETS = [CITIZEN.id, CITIZEN.oldId, CITIZEN.name, CITIZEN.address, CITIZEN.phone, CITIZEN.email, 'Thu Hương', 'Ngõ Huế'];

describe('personal data in logs', () => {
  it('a full kiosk + counter + scan flow logs none of the citizen\'s data', async () => {
    const lines: string[] = [];
    const a = await startAgent(testConfig({ log: { level: 'trace' } }), { listen: true, logLines: lines });
    try {
      const H = { 'content-type': 'application/json' };
      const post = (path: string, body: unknown) => fetch(`${a.url}/api/v1${path}`, { method: 'POST', headers: H, body: JSON.stringify(body) });
      const ws = new WebSocket(`${a.url.replace('http', 'ws')}/api/v1/events`);
      await new Promise((r) => ws.once('open', r));
      const events: any[] = [];
      ws.on('message', (m) => events.push(JSON.parse(String(m))));

      // Kiosk: a ticket. Counter: call it, scan the citizen's ID card, receive the dossier, scan originals, return by post.
      expect((await post('/queue/tickets', { serviceId: 'land' })).status).toBe(201);
      expect((await post('/queue/counters/1/call-next', {})).status).toBeLessThan(300);
      expect((await post('/devices/barcode/simulate', { data: QR, aimId: ']Q1' })).status).toBe(202);
      // An over-long and a malformed CCCD too: errors must not echo the content either.
      await post('/devices/barcode/simulate', { data: `${CITIZEN.id}|${CITIZEN.name}` });
      const receivedAt = Date.now();
      const code = dossierCodeOn(7, receivedAt);
      const rec = await post(`/dossiers/${code}/receive`, {
        applicant: { name: CITIZEN.name, address: CITIZEN.address, phone: CITIZEN.phone, email: CITIZEN.email },
        request: 'Đăng ký biến động đất đai',
        components: [{ name: 'Đơn đăng ký biến động', originals: 1, copies: 0 }, { name: 'Giấy chứng nhận quyền sử dụng đất', originals: 1, copies: 1 }],
        sets: 1,
        processingTime: '10 ngày làm việc',
        appointmentAt: new Date(Date.now() + 10 * 86400_000).toISOString(),
        returnMethod: 'post',
        clerk: 'Lê Văn Clerk',
        receivedAt: new Date(receivedAt).toISOString(),
      });
      expect(rec.status).toBe(201);
      // Invalid personal data in a request: the 400 must not be logged with the values.
      await post(`/dossiers/${code}/receive`, { applicant: { name: CITIZEN.name, phone: `${CITIZEN.phone}x` } });
      const scan = await post('/scans', { dossierCode: code });
      expect(scan.status).toBe(202);
      const { id } = (await scan.json()) as { id: string };
      await a.ctx.digitise.settled(id);
      const ret = await post(`/dossiers/${code}/return`, { returnMethod: 'post', postalItem: 'EE123456785VN', clerk: 'Lê Văn Clerk' });
      expect(ret.status).toBe(201);
      const { printJobId } = (await ret.json()) as { printJobId: string };
      expect((await fetch(`${a.url}/api/v1/dossiers/${code}`)).status).toBe(200);
      // The flow's last work, the return slip, is printed (and logged) before the logs are read.
      await waitFor(() => events.some((e) => e.type === 'hcc.print.job.printed' && e.data.id === printJobId), { timeoutMs: 30_000, what: 'the return slip printed' });
      ws.close();

      // The flow really ran (the CCCD reached the counter page) …
      const cccd = events.find((e) => e.type === 'hcc.barcode.scanned' && e.data.kind === 'citizen-id');
      expect(cccd?.data.parsed).toBeTruthy();
      expect(lines.length).toBeGreaterThan(5);
      if (process.env.SHOW_LOG) console.log(lines.join(""));
      // … but the logs hold none of it.
      const log = lines.join('');
      for (const s of SECRETS) expect(log.includes(s), `log contains "${s}"`).toBe(false);
      // And the CCCD scan was not forwarded to the central system (config forwardPersonal is off).
      const outbox = JSON.stringify(a.ctx.db.prepare("SELECT envelope FROM outbox WHERE type = 'hcc.barcode.scanned'").all());
      expect(outbox.includes(CITIZEN.id)).toBe(false);
    } finally {
      await a.cleanup();
    }
  }, 120_000);
});
