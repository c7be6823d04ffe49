/** Health check: free space where the data lives, so a filling disk is seen before writes fail. */
import { statfsSync } from 'node:fs';
import type { Check } from '../health.ts';

/** Free space changes slowly (a full disk is caught at once by SQLITE_FULL): asked at most this often. */
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
