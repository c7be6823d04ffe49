/** Dossier status look-up: reading central answers (ours and DVCQG-style), cache, unknown codes, no service configured. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dvcqgDate, readCentral, StatusLookup } from '../../src/dossier/status.ts';
import { DossierStore } from '../../src/dossier/store.ts';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { tempDir } from '../helpers/agent.ts';

describe('central answers', () => {
  it('reads DVCQG dates (yyyyMMddHHmmss, Vietnam time) as UTC', () => {
    expect(dvcqgDate('20261212080000')).toBe('2026-12-12T01:00:00.000Z');
    expect(dvcqgDate('2026-12-12')).toBeUndefined();
  });

  it('reads our shape and DVCQG-style names, ignoring junk', () => {
    expect(readCentral({ status: 'processing', appointmentAt: '2026-12-12T08:00:00+07:00', statusTextVi: 'Đang giải quyết', extra: 1 })).toEqual({ status: 'processing', appointmentAt: '2026-12-12T01:00:00.000Z', statusTextVi: 'Đang giải quyết' });
    expect(readCentral({ TrangThaiHoSo: 4, NgayHenTra: '20261212080000' })).toEqual({ status: '4', appointmentAt: '2026-12-12T01:00:00.000Z' });
    expect(readCentral('nonsense')).toEqual({});
    expect(readCentral({ appointmentAt: 'not a date', status: 'x'.repeat(600) })).toEqual({});
  });
});

describe('StatusLookup', () => {
  let server: http.Server;
  let hits = 0;
  let db: Db;
  let dir: string;
  let store: DossierStore;
  let now = Date.UTC(2026, 10, 22, 3, 0, 0);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      const code = decodeURIComponent((req.url ?? '').split('/').pop()!);
      if (req.headers.authorization !== 'Bearer tok') return void res.writeHead(401).end();
      if (code === 'A') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'processing', appointmentAt: '2026-12-01T01:00:00Z' }));
      if (code === 'BROKEN') return void res.writeHead(200).end('<html>');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = tempDir();
    db = openDatabase(dir);
    store = new DossierStore(db);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lookup = (over: Partial<ConstructorParameters<typeof StatusLookup>[1]> = {}) =>
    new StatusLookup(store, { statusUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/d/{code}`, token: 'tok', caFile: '', timeoutMs: 1000, cacheMs: 30000, now: () => now, ...over });

  it('asks once, then answers from the cache until it expires', async () => {
    const l = lookup();
    hits = 0;
    expect(await l.lookup('A')).toMatchObject({ centralReachable: true, status: 'processing', appointmentAt: '2026-12-01T01:00:00.000Z', cached: false, local: null });
    expect(await l.lookup('A')).toMatchObject({ cached: true, status: 'processing' });
    expect(hits).toBe(1);
    now += 31000;
    expect((await l.lookup('A')).cached).toBe(false);
    expect(hits).toBe(2);
  });

  it('says when the central side does not know the code, and when it answers nonsense', async () => {
    const l = lookup();
    expect(await l.lookup('NOPE')).toMatchObject({ centralReachable: true, status: 'unknown', messageVi: expect.stringMatching(/chưa có hồ sơ/) });
    expect(await l.lookup('BROKEN')).toMatchObject({ centralReachable: false });
    expect(await lookup({ token: 'wrong' }).lookup('A')).toMatchObject({ centralReachable: false, message: expect.stringMatching(/could not be checked/) });
  });

  it('without a configured status URL answers locally, without personal data', async () => {
    store.insertReceived({ code: 'L', received_at: '2026-11-22T01:00:00.000Z', appointment_at: '2026-12-01T01:00:00.000Z', return_method: 'counter', applicant_name: 'Nguyễn Văn A', received_event_id: 'e1', receipt_job_id: 'j1' });
    const st = await lookup({ statusUrl: '' }).lookup('L');
    expect(st).toMatchObject({ centralReachable: false, local: { receivedAt: '2026-11-22T01:00:00.000Z', appointmentAt: '2026-12-01T01:00:00.000Z', receiptPrintJobId: 'j1' } });
    expect(JSON.stringify(st)).not.toContain('Nguyễn');
    expect(st.messageVi).toMatch(/Chưa cấu hình/);
  });
});
