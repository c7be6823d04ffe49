/** Runs an external tool (tesseract, scanimage, lp/lpstat) and collects what it printed. */
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to the tool's stdin, which is then closed. */
  input?: Buffer;
  /** The tool is killed after this long (ms). */
  timeoutMs: number;
  /** SIGKILL for a tool that may ignore SIGTERM while blocked. */
  killSignal?: NodeJS.Signals;
  env?: NodeJS.ProcessEnv;
}

/** Resolves with the exit code and output, whatever the code; rejects only when the tool cannot start. */
export function runCommand(cmd: string, args: string[], opts: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, timeout: opts.timeoutMs, killSignal: opts.killSignal ?? 'SIGTERM' });
    // Buffers, decoded once at the end: a UTF-8 character may be split across chunks.
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined); // a tool that exits without reading its input
    child.stdin.end(opts.input);
  });
}
