/**
 * OCR through the tesseract command with Vietnamese data (`-l vie`): word boxes from its TSV
 * output, which pdf.ts lays as an invisible text layer over the page image. Tesseract runs as a
 * child process, off the event loop.
 */
import { runCommand } from '../../drivers/support/command.ts';

export interface OcrWord {
  text: string;
  /** Box in image pixels. */
  left: number;
  top: number;
  width: number;
  height: number;
  conf: number;
}

export interface OcrAvailability {
  ok: boolean;
  en?: string;
  vi?: string;
}

// One OpenMP thread: tesseract's own threading is several times slower on a busy 2-core desk PC.
const run = (cmd: string, args: string[], input?: Buffer, timeoutMs = 120_000) => runCommand(cmd, args, { input, timeoutMs, env: { ...process.env, OMP_THREAD_LIMIT: '1' } });

/** Whether `cmd` runs and has the Vietnamese language data; the reason in both languages when not. */
export async function checkOcr(cmd: string): Promise<OcrAvailability> {
  try {
    const r = await run(cmd, ['--list-langs'], undefined, 15_000);
    const langs = (r.stdout + r.stderr).split(/\r?\n/).map((l) => l.trim());
    if (!langs.includes('vie')) {
      return { ok: false, en: `tesseract has no Vietnamese language data (install tesseract-ocr-vie); PDFs were made without a text layer`, vi: 'tesseract thiếu dữ liệu tiếng Việt (cài tesseract-ocr-vie); tệp PDF được tạo không có lớp chữ' };
    }
    return { ok: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      en: code === 'ENOENT' ? `OCR requested but tesseract is not installed (${cmd} not found); PDFs were made without a text layer` : `OCR requested but tesseract cannot run: ${(err as Error).message}; PDFs were made without a text layer`,
      vi: 'Đã yêu cầu nhận dạng chữ (OCR) nhưng chưa cài tesseract; tệp PDF được tạo không có lớp chữ',
    };
  }
}

/** Recognises one page image (JPEG/PNG bytes) and returns its words with their boxes. */
export async function ocrWords(cmd: string, image: Buffer, dpi: number): Promise<OcrWord[]> {
  const r = await run(cmd, ['stdin', 'stdout', '-l', 'vie', '--dpi', String(dpi), '--psm', '3', 'tsv'], image);
  if (r.code !== 0) throw new Error(`tesseract exited with ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return parseTsv(r.stdout);
}

/** Tesseract TSV: level page_num block_num par_num line_num word_num left top width height conf text; level 5 = word. */
export function parseTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  for (const line of tsv.split('\n').slice(1)) {
    const f = line.split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    const text = f.slice(11).join('\t').trim();
    const conf = Number(f[10]);
    if (!text || conf < 0) continue;
    words.push({ left: Number(f[6]), top: Number(f[7]), width: Number(f[8]), height: Number(f[9]), conf, text });
  }
  return words;
}
