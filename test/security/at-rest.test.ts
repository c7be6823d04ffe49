/**
 * Personal data at rest: the applicant's name and contact details never reach the database file
 * in clear (outbox event, local dossier row, receipt print job), and the encrypted event is erased
 * once the central side confirms it.
 */
import { describe, it, expect } from 'vitest';
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, testConfig } from '../helpers/agent.ts';
import { dossierCodeOn } from '../helpers/codes.ts';
import { waitFor } from '../helpers/wait.ts';

const NAME = 'Phạm Thị Hồng Nhung';
const PHONE = '0987654321';
const ADDRESS = 'Số 7 Phố Hàng Bạc, Hoàn Kiếm, Hà Nội';

describe('personal data at rest', () => {
  it('stores personal data encrypted, prints and forwards it in clear, and erases it once delivered', async () => {
    const received: any[] = [];
    const central = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(...JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => central.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(central.address() as { port: number }).port}/events`;
    const a = await startAgent(testConfig({ central: { transport: 'http', http: { url } } }));
    try {
      const receivedAt = Date.now();
      const code = dossierCodeOn(42, receivedAt);
      const r = await a.fastify.inject({
        method: 'POST',
        url: `/api/v1/dossiers/${code}/receive`,
        headers: { host: 'localhost' },
        payload: {
          applicant: { name: NAME, address: ADDRESS, phone: PHONE },
          request: 'Cấp đổi giấy chứng nhận',
          components: [{ name: 'Đơn đề nghị', originals: 1, copies: 0 }],
          sets: 1,
          processingTime: '7 ngày làm việc',
          appointmentAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
          returnMethod: 'counter',
          clerk: 'Nguyễn Văn Thư',
          receivedAt: new Date(receivedAt).toISOString(),
        },
      });
      expect(r.statusCode, r.body).toBe(201);
      const { printJobId } = r.json();
      // The central side gets the receipt in clear …
      const ev = await waitFor(() => received.find((e) => e.type === 'hcc.dossier.received'), { what: 'the receipt at the central side' });
      expect(ev?.data.applicant.name).toBe(NAME);
      expect(ev.sequence).toMatch(/^\d{16}$/);
      // … the receipt printed with the name (the job data decrypts) …
      await waitFor(() => a.ctx.printing.get(printJobId)?.state === 'printed', { what: 'the receipt printed' });
      // … and the return flow still knows the name for the slip.
      const ret = await a.fastify.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/return`, headers: { host: 'localhost' }, payload: { returnMethod: 'counter', clerk: 'Nguyễn Văn Thư', receivedBy: 'chính chủ' } });
      expect(ret.statusCode).toBe(201);

      // Nothing personal in clear in the database: rows …
      const rows = JSON.stringify([
        a.ctx.db.prepare('SELECT * FROM outbox').all(),
        a.ctx.db.prepare('SELECT * FROM dossiers').all(),
        a.ctx.db.prepare('SELECT * FROM print_jobs').all(),
      ]);
      for (const s of [NAME, PHONE, ADDRESS]) expect(rows.includes(s), s).toBe(false);
      // … nor anywhere in the files, WAL included.
      a.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
      for (const f of ['agent.db', 'agent.db-wal']) {
        const p = join(a.ctx.dataDir, f);
        if (!existsSync(p)) continue;
        const bytes = readFileSync(p);
        for (const s of [NAME, PHONE, ADDRESS]) expect(bytes.includes(Buffer.from(s)), `${f} holds ${s}`).toBe(false);
      }
      // Once delivered, the encrypted envelope is erased too.
      const stored = a.ctx.db.prepare("SELECT state, envelope FROM outbox WHERE type = 'hcc.dossier.received'").get() as { state: string; envelope: string };
      expect(stored).toEqual({ state: 'delivered', envelope: '{}' });
    } finally {
      await a.cleanup();
      central.close();
    }
  }, 60_000);
});

describe('personal data retention', () => {
  it('erases a kept applicant name when the result is returned, or after the retention period', async () => {
    const { DossierStore } = await import('../../src/dossier/store.ts');
    const { openDatabase } = await import('../../src/store/db.ts');
    const { Vault } = await import('../../src/security/vault.ts');
    const { tempDir } = await import('../helpers/agent.ts');
    const dir = tempDir();
    const vault = new Vault(join(dir, 'k'));
    vault.start();
    const store = new DossierStore(openDatabase(dir), vault);
    const row = (code: string, receivedAt: string) => ({ code, received_at: receivedAt, appointment_at: receivedAt, return_method: 'counter' as const, applicant_name: NAME, received_event_id: 'e', receipt_job_id: 'j' });
    store.insertReceived(row('A-1', new Date().toISOString()));
    store.insertReceived(row('A-2', new Date().toISOString()));
    store.insertReceived(row('A-3', new Date(Date.now() - 40 * 86_400_000).toISOString()));
    expect(store.get('A-1')?.applicant_name).toBe(NAME);
    store.upsertReturned({ code: 'A-1', returned_at: new Date().toISOString(), returned_method: 'counter', postal_item: null, returned_event_id: 'r', slip_job_id: 's' });
    expect(store.get('A-1')?.applicant_name).toBe('');
    expect(store.purgeNames(new Date(Date.now() - 30 * 86_400_000))).toBe(1);
    expect(store.get('A-3')?.applicant_name).toBe('');
    expect(store.get('A-2')?.applicant_name).toBe(NAME);
  });
});
