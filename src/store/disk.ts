/**
 * The data disk: a health check of its free space, so a filling disk is seen before writes fail,
 * and the one rule for telling that a write failed because the disk took no more.
 */
import { statfsSync } from 'node:fs';
import type { Check } from '../health.ts';

/** Free space changes slowly (a full disk is caught at once by diskFullCode): asked at most this often. */
const REFRESH_MS = 2000;

export function diskCheck(dataDir: string, minFreeBytes: number, statfs = statfsSync): () => Check {
  let free = 0;
  let at = -Infinity;
  return () => {
    if (performance.now() - at > REFRESH_MS) {
      const s = statfs(dataDir);
      free = Number(s.bavail) * Number(s.bsize);
      at = performance.now();
    }
    if (free >= minFreeBytes) return { ok: true, detail: { freeBytes: free } };
    const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
    return {
      ok: false,
      message: `only ${mb(free)} free on the data disk (want ${mb(minFreeBytes)}): free space before writes fail`,
      messageVi: `Ổ đĩa dữ liệu chỉ còn ${mb(free)} (cần ${mb(minFreeBytes)}): hãy giải phóng dung lượng`,
      detail: { freeBytes: free, minFreeBytes },
    };
  };
}

/**
 * Error codes that mean the disk took no more data:
 * - SQLITE_FULL: ENOSPC (or a short write) on a database write, or the max_page_count cap;
 * - SQLITE_IOERR_WRITE: any other failed write: EFBIG (file size limit), EDQUOT (quota), but also
 *   EIO from a failing disk, which SQLite does not tell apart (unixWrite in sqlite3.c);
 * - ENOSPC, EDQUOT, EFBIG: the same from Node's fs, for files the agent writes itself.
 */
const DISK_FULL = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'ENOSPC', 'EDQUOT', 'EFBIG']);

/** The error's code when it says the disk took no more (see DISK_FULL), else null. */
export function diskFullCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_FULL.has(code) ? code : null;
}

export const isDiskFull = (err: unknown): boolean => diskFullCode(err) !== null;
