/**
 * A CUPS queue through `lp`/`lpstat`: raw for an ESC/POS queue, PDF for an A4 printer. CUPS cannot
 * report paper or cover, so status is the queue's state (enabled and accepting jobs, or not) and a
 * job is reported with the weaker guarantee "accepted by CUPS as request <id>".
 */
import Type from 'typebox';
import type { PrinterCondition } from '../contracts.ts';
import { defineDriver, deviceSchema } from '../driver.ts';
import type { StatusText } from '../lifecycle.ts';
import { key } from '../support/config-key.ts';
import { runCommand, type CommandResult } from '../support/command.ts';
import { PrinterDevice, widthKey } from './base.ts';
import { FINE } from './simulated.ts';

export interface CupsOptions {
  queue: string;
  format: 'raw' | 'pdf';
  width: number;
  /** Environment for lp/lpstat (PATH, CUPS_SERVER); the process environment by default. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The queue or the scheduler is gone: the device is disconnected and reopened with backoff. */
export class CupsUnavailable extends Error {
  constructor(readonly text: StatusText) {
    super(text.en);
    this.name = 'CupsUnavailable';
  }

  /** Read by the device lifecycle for the Vietnamese reason. */
  get messageVi(): string {
    return this.text.vi;
  }
}

interface QueueState {
  enabled: boolean;
  accepting: boolean;
  /** The tab-indented reason lines lpstat prints under the queue ("Paused", "paper jam"). */
  reason: string;
}

export class CupsPrinter extends PrinterDevice {
  readonly accepts: 'escpos' | 'pdf';
  readonly widthDots: number;

  constructor(
    id: string,
    private readonly opts: CupsOptions,
  ) {
    super(id, 'cups');
    this.accepts = opts.format === 'pdf' ? 'pdf' : 'escpos';
    this.widthDots = opts.format === 'pdf' ? 0 : opts.width;
  }

  private run(cmd: string, args: string[], input?: Buffer): Promise<CommandResult> {
    // CUPS clients translate their output by LANG ("Drucker Q ist deaktiviert"); it is parsed in English.
    const env = { ...(this.opts.env ?? process.env), LC_ALL: 'C' };
    return runCommand(cmd, args, { input, env, timeoutMs: this.opts.timeoutMs ?? 15000, killSignal: 'SIGKILL' });
  }

  /**
   * Why lpstat/lp could not find the queue. CUPS clients say "Invalid destination name" / "The
   * printer or class does not exist" both for a missing queue and for a scheduler that is not
   * running, so `lpstat -r` tells the two apart.
   */
  private async missing(said: string): Promise<CupsUnavailable> {
    const q = this.opts.queue;
    const r = await this.run('lpstat', ['-r']).catch(() => null);
    if (r && /scheduler is running/.test(r.stdout)) {
      return new CupsUnavailable({ en: `CUPS has no queue named "${q}" (${said})`, vi: `CUPS không có hàng đợi in "${q}" (${said})`, code: 'unavailable' });
    }
    return new CupsUnavailable({ en: `the CUPS scheduler is not running or not reachable (${said})`, vi: `dịch vụ in CUPS không chạy hoặc không kết nối được (${said})`, code: 'unavailable' });
  }

  /**
   * `lpstat -a Q -p Q`: "Q accepting requests since …" or "Q not accepting requests since … -"
   * and "printer Q is idle.  enabled since …" or "printer Q disabled since … -", each followed by
   * tab-indented reason lines. A disabled queue still takes jobs (they wait in CUPS); a rejecting
   * one refuses them.
   */
  private async queueState(): Promise<QueueState> {
    const q = this.opts.queue;
    const r = await this.run('lpstat', ['-a', q, '-p', q]);
    const said = (r.stderr || r.stdout).trim() || `lpstat exited ${r.code}`;
    if (r.code !== 0) throw /Invalid destination|does not exist/i.test(said) ? await this.missing(said) : new Error(said);
    const reasons: string[] = [];
    let enabled = true;
    let accepting = true;
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('\t') || line.startsWith(' ')) {
        const t = line.trim();
        if (t && !reasons.includes(t)) reasons.push(t);
      } else if (line.startsWith(`printer ${q} `)) enabled = !/^printer \S+ disabled\b/.test(line);
      else if (line.startsWith(`${q} `)) accepting = !/^\S+ not accepting\b/.test(line);
    }
    return { enabled, accepting, reason: reasons.join('; ') };
  }

  protected async open(): Promise<void> {
    await this.queueState();
  }
  protected async close(): Promise<void> {}

  /** A vanished queue or scheduler makes the device disconnected (and retried); other errors pass. */
  private gone(err: unknown): never {
    if (err instanceof CupsUnavailable) this.lost(err.text);
    throw err;
  }

  async write(data: Buffer): Promise<void> {
    this.lastTransferNote = undefined;
    const st = this.status();
    if (st.state === 'disconnected') throw new Error(`printer ${this.id} is not connected: ${st.reason}`);
    const args = ['-d', this.opts.queue, '-t', `hcc-agent ${this.id}`];
    if (this.opts.format === 'raw') args.push('-o', 'raw');
    const r = await this.run('lp', args, data);
    if (r.code !== 0) {
      const said = (r.stderr || r.stdout).trim() || `lp exited ${r.code}`;
      if (/does not exist|Invalid destination/i.test(said)) this.gone(await this.missing(said));
      throw new Error(`CUPS refused the job: ${said}`);
    }
    const id = /request id is (\S+)/.exec(r.stdout)?.[1];
    this.lastTransferNote = id ? `accepted by CUPS as request ${id}` : 'accepted by CUPS';
  }

  async queryStatus(): Promise<PrinterCondition | null> {
    const s = await this.queueState().catch((err) => this.gone(err));
    const c = { ...FINE, online: s.enabled && s.accepting };
    if (c.online || !this.isRunning) return this.report(c);
    // Offline as any printer is (jobs wait), with what CUPS says about it for the admin page.
    const q = this.opts.queue;
    const why = s.reason ? `: ${s.reason}` : '';
    if (!s.enabled) this.setStatus('error', { en: `CUPS queue "${q}" is stopped (disabled)${why}`, vi: `hàng đợi in CUPS "${q}" đang tạm dừng${why}`, code: 'offline' });
    else this.setStatus('error', { en: `CUPS queue "${q}" is not accepting jobs${why}`, vi: `hàng đợi in CUPS "${q}" không nhận lệnh in${why}`, code: 'offline' });
    return c;
  }
}

export const driver = defineDriver({
  type: 'printer',
  name: 'cups',
  summary: 'A CUPS queue via lp/lpstat: raw ESC/POS for a thermal queue, PDF for an A4 printer.',
  schema: deviceSchema(
    'printer',
    'cups',
    {
      queue: key(Type.String({ minLength: 1, maxLength: 127, pattern: '^[^\\s/#]+$' }), { title: 'Queue', description: 'CUPS queue name (lpstat -p lists them).', default: '' }),
      format: key(Type.Union([Type.Literal('pdf'), Type.Literal('raw')]), { title: 'Format', description: 'pdf: an A4 printer (receipts as A4 PDF); raw: an ESC/POS thermal printer queue.', default: 'pdf' }),
      width: widthKey,
    },
    'A printer behind CUPS.',
  ),
  create: (cfg) => new CupsPrinter(cfg.id, { queue: cfg.queue, format: cfg.format, width: cfg.width }),
});
