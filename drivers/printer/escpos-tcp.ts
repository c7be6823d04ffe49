/** ESC/POS over raw TCP (port 9100, "JetDirect"): one long-lived connection, reopened when it drops. */
import { connect, type Socket } from 'node:net';
import Type from 'typebox';
import { defineDriver, deviceSchema } from '../driver.ts';
import { key } from '../support/config-key.ts';
import { StreamPrinter, escposKeys, escposOptions, type EscposOptions } from './base.ts';

export interface TcpOptions extends EscposOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

export class EscPosTcpPrinter extends StreamPrinter {
  private socket: Socket | null = null;

  constructor(
    id: string,
    private readonly opts: TcpOptions,
  ) {
    super(id, 'escpos-tcp', opts);
  }

  protected open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: this.opts.host, port: this.opts.port });
      sock.setNoDelay(true);
      sock.setKeepAlive(true, 5000);
      const timer = setTimeout(() => sock.destroy(new Error(`connect timeout to ${this.opts.host}:${this.opts.port}`)), this.opts.connectTimeoutMs ?? 3000);
      sock.once('connect', () => {
        clearTimeout(timer);
        this.socket = sock;
        sock.on('data', (c: Buffer) => this.received(c));
        sock.on('close', () => {
          if (this.socket !== sock) return;
          this.socket = null;
          this.failWaiters();
          this.lost({ en: `connection to ${this.opts.host}:${this.opts.port} lost; reconnecting`, vi: `mất kết nối tới máy in ${this.opts.host}:${this.opts.port}; đang kết nối lại`, code: 'offline' });
        });
        resolve();
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        if (this.socket !== sock) reject(err);
      });
    });
  }

  protected async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }

  protected send(data: Buffer): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.reject(new Error(`printer ${this.id} is not connected`));
    return new Promise((resolve, reject) => s.write(data, (err) => (err ? reject(err) : resolve())));
  }
}

export const driver = defineDriver({
  type: 'printer',
  name: 'escpos-tcp',
  summary: 'ESC/POS thermal printer on the network (raw TCP, usually port 9100).',
  schema: deviceSchema(
    'printer',
    'escpos-tcp',
    {
      host: key(Type.String({ minLength: 1, maxLength: 253 }), { title: 'Host', description: 'Printer IP address or host name.', default: '' }),
      port: key(Type.Integer({ minimum: 1, maximum: 65535 }), { title: 'Port', description: 'Raw printing port.', default: 9100 }),
      ...escposKeys,
    },
    'A network ESC/POS printer.',
  ),
  create: (cfg) => new EscPosTcpPrinter(cfg.id, { host: cfg.host, port: cfg.port, ...escposOptions(cfg) }),
});
