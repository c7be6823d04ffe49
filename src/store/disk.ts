/** Health check: free space where the data lives, so a filling disk is seen before writes fail. */
import { statfsSync } from 'node:fs';
import type { Check } from '../health.ts';

export function diskCheck(dataDir: string, minFreeBytes: number, statfs = statfsSync): () => Check {
  return () => {
    const s = statfs(dataDir);
    const free = Number(s.bavail) * Number(s.bsize);
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
