/**
 * Dossier status for the kiosk: asked from the central system (`central.http.statusUrl`, a URL
 * template with {code}) with a short timeout and a short cache. When the central side cannot be
 * reached the answer says so plainly and carries what this desk knows locally.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { withSystemRoots } from '../tls.ts';
import type { DossierStore } from './store.ts';
import type { DossierStatus } from './schemas.ts';

export interface StatusOptions {
  statusUrl: string;
  token: string;
  caFile: string;
  timeoutMs: number;
  cacheMs: number;
  now?: () => number;
}

type Central = Pick<DossierStatus, 'status' | 'statusText' | 'statusTextVi' | 'appointmentAt' | 'updatedAt'>;

/** `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh (UTC+7, no DST), as DVCQG exchanges dates, → ISO UTC. */
export function dvcqgDate(s: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 7, +m[5], +m[6]);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 500 ? v : undefined);

/** Reads our own shape ({status, appointmentAt…}) or DVCQG-style names (TrangThaiHoSo, NgayHenTra). */
export function readCentral(body: unknown): Central {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const appointment = str(b.appointmentAt) ?? (str(b.NgayHenTra) ? dvcqgDate(String(b.NgayHenTra)) : undefined);
  const out: Central = {};
  const status = str(b.status) ?? (b.TrangThaiHoSo !== undefined ? String(b.TrangThaiHoSo) : undefined);
  if (status) out.status = status;
  if (str(b.statusText)) out.statusText = str(b.statusText);
  if (str(b.statusTextVi)) out.statusTextVi = str(b.statusTextVi);
  if (appointment && !Number.isNaN(Date.parse(appointment))) out.appointmentAt = new Date(appointment).toISOString();
  if (str(b.updatedAt)) out.updatedAt = str(b.updatedAt);
  return out;
}

export class StatusLookup {
  private readonly cache = new Map<string, { at: number; central: Central }>();
  private readonly now: () => number;
  private ca: Buffer | undefined;
  private caRead = false;

  constructor(
    private readonly store: DossierStore,
    private readonly opts: StatusOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async lookup(code: string): Promise<DossierStatus> {
    const local = this.store.local(code);
    const checkedAt = new Date(this.now()).toISOString();
    const hit = this.cache.get(code);
    if (hit && this.now() - hit.at < this.opts.cacheMs) return { code, centralReachable: true, ...hit.central, local, checkedAt: new Date(hit.at).toISOString(), cached: true };
    if (!this.opts.statusUrl) {
      return { code, centralReachable: false, local, checkedAt, cached: false, message: 'No central status service is configured; showing what this desk knows.', messageVi: 'Chưa cấu hình tra cứu trạng thái với hệ thống trung tâm; hiển thị thông tin tại quầy.' };
    }
    const answer = await this.fetch(code);
    if ('error' in answer) {
      return {
        code, centralReachable: false, local, checkedAt, cached: false,
        message: `The status could not be checked with the central system right now${local ? '; showing the receipt recorded at this desk' : ''}. Please try again later.`,
        messageVi: `Hiện không kiểm tra được trạng thái với hệ thống trung tâm${local ? '; hiển thị thông tin biên nhận tại quầy' : ''}. Vui lòng thử lại sau.`,
      };
    }
    const central: Central = answer.status === 404 ? { status: 'unknown' } : readCentral(answer.body);
    this.cache.set(code, { at: this.now(), central });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    const out: DossierStatus = { code, centralReachable: true, ...central, local, checkedAt, cached: false };
    if (central.status === 'unknown') {
      out.message = 'The central system does not know this dossier code yet.';
      out.messageVi = 'Hệ thống trung tâm chưa có hồ sơ với mã này.';
    }
    return out;
  }

  private fetch(code: string): Promise<{ status: number; body: unknown } | { error: string }> {
    const url = new URL(this.opts.statusUrl.replace('{code}', encodeURIComponent(code)));
    if (!this.caRead) {
      this.caRead = true;
      this.ca = this.opts.caFile ? readFileSync(this.opts.caFile) : undefined;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    return new Promise((resolve) => {
      const req = lib.get(url, { headers, timeout: this.opts.timeoutMs, ...(this.ca && url.protocol === 'https:' ? { ca: withSystemRoots(this.ca) } : {}) }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (text.length < 65536) text += c; });
        res.on('end', () => {
          clearTimeout(timer);
          const s = res.statusCode ?? 0;
          if (s === 404) return resolve({ status: 404, body: null });
          if (s < 200 || s >= 300) return resolve({ error: `HTTP ${s}` });
          try {
            resolve({ status: s, body: JSON.parse(text) });
          } catch {
            resolve({ error: 'not JSON' });
          }
        });
        res.on('error', (err) => resolve({ error: err.message }));
      });
      // The whole look-up, not only idle time, is bounded: a kiosk user is waiting.
      const timer = setTimeout(() => req.destroy(new Error('timeout')), this.opts.timeoutMs);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        clearTimeout(timer);
        resolve({ error: err.message });
      });
    });
  }
}
