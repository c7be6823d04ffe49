/**
 * `hcc-agent doctor --config FILE` checks the links the config names, as an installer runs it at a
 * kiosk: a queue host over HTTPS with its own certificate (untrusted without the CA file, trusted
 * with it, token refused), a central URL nobody listens on, and a config that does not load. The
 * variants run in-process against the real HTTPS peer; the CLI wiring runs as a process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, spawnAgent } from '../helpers/process.ts';
import { tempDir } from '../helpers/agent.ts';
import { validateConfig } from '../../src/config/load.ts';
import { linkFindings } from '../../src/doctor-links.ts';
import { Broker } from './outbox-helpers.ts';

const TOKEN = 'kiosk-doctor-token';
let dir: string;
let host: https.Server;
let hostUrl: string;

beforeAll(async () => {
  dir = tempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  // Stands in for the queue host: the board state for the right token, 401 otherwise.
  host = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    const ok = req.url === '/api/v1/queue/state' && req.headers.authorization === `Bearer ${TOKEN}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"services":[]}' : '{"error":"unauthorized"}');
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostUrl = `https://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => host.close(() => r())));

async function doctor(name: string, config: unknown): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  const p = spawnAgent(['doctor', '--config', file]);
  const { code } = await p.exited;
  expect(code).toBe(0);
  return p.stdout();
}

describe('hcc-agent doctor: the config links', () => {
  const kiosk = (client: Record<string, unknown>, token = TOKEN) => ({ queue: { role: 'client', hostUrl, token, client } });
  const findings = async (raw: Record<string, unknown>) => (await linkFindings(validateConfig(raw))).map((f) => `${f.level} ${f.area} ${f.message}`);

  it('tells a missing CA, an unreadable CA file, a refused token and a good link apart', async () => {
    expect(await findings(kiosk({}))).toEqual([expect.stringMatching(new RegExp(`^warn queue queue host ${hostUrl}/api/v1/queue/state: certificate not trusted \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\\); put its CA certificate in queue\\.client\\.caFile$`))]);
    expect(await findings(kiosk({ caFile: join(dir, 'nowhere.pem') }))).toEqual([expect.stringMatching(/^warn queue queue host .*: cannot read queue\.client\.caFile ".*nowhere\.pem" \(ENOENT\)$/)]);
    expect(await findings(kiosk({ caFile: join(dir, 'cert.pem') }, 'not-the-token'))).toEqual([expect.stringMatching(/^warn queue queue host .*: answers but refuses the token \(HTTP 401\); check the token and its scope$/)]);
    expect(await findings(kiosk({ caFile: join(dir, 'cert.pem') }))).toEqual([`ok queue queue host ${hostUrl}/api/v1/queue/state answers (HTTP 200, certificate trusted)`]);
    expect(await findings({ queue: { role: 'client', hostUrl: 'kiosk-host:7420' } })).toEqual(['warn queue queue.hostUrl "kiosk-host:7420" is not an http:// or https:// address (e.g. http://10.0.0.5:7420)']);
    expect(await findings({ queue: { role: 'client' } })).toEqual(['warn queue queue.hostUrl "" is not an http:// or https:// address (e.g. http://10.0.0.5:7420)']);
    expect(await findings({})).toEqual([]); // a desk with no queue host and no central system
  });

  it('says so when a central server takes the connection and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/events`;
      expect(await findings({ central: { transport: 'http', http: { url } } })).toEqual([`warn central central events URL ${url}: unreachable (no answer within 3 s); check the address, the cable or Wi-Fi and the firewall`]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('connects to a real mosquitto as the agent would: accepted, wrong password, nobody listening', async () => {
    const open = new Broker(await freePort());
    // A second broker that wants a password (mosquitto_passwd writes the hashed file).
    const locked = new Broker(await freePort(), (d) => {
      execFileSync('mosquitto_passwd', ['-b', '-c', join(d, 'passwd'), 'hcc-desk', 'right-password']);
      return `allow_anonymous false\npassword_file ${join(d, 'passwd')}\n`;
    });
    await Promise.all([open.start(), locked.start()]);
    try {
      const central = (port: number, auth: Record<string, string> = {}) => ({ central: { transport: 'mqtt', mqtt: { url: `mqtt://127.0.0.1:${port}`, ...auth } } });
      expect(await findings(central(open.port))).toEqual([`ok central MQTT broker mqtt://127.0.0.1:${open.port} accepts this agent (MQTT 5)`]);
      expect(await findings(central(locked.port, { username: 'hcc-desk', password: 'right-password' }))).toEqual([`ok central MQTT broker mqtt://127.0.0.1:${locked.port} accepts this agent (MQTT 5)`]);
      expect(await findings(central(locked.port, { username: 'hcc-desk', password: 'wrong' }))).toEqual([
        `warn central MQTT broker mqtt://127.0.0.1:${locked.port}: refuses this agent (not authorized); check central.mqtt.username and password`, // mosquitto answers 0x87 to a wrong password
      ]);
      expect(await findings({ central: { transport: 'mqtt', mqtt: { url: 'broker.local:1883' } } })).toEqual(['warn central central.mqtt.url "broker.local:1883" is not an mqtt:// or mqtts:// address (e.g. mqtts://broker.example.gov.vn:8883)']);
      const closed = await freePort();
      expect(await findings(central(closed))).toEqual([`warn central MQTT broker mqtt://127.0.0.1:${closed}: unreachable (ECONNREFUSED); check the address, the cable or Wi-Fi and the firewall`]);
    } finally {
      await Promise.all([open.stop(), locked.stop()]);
    }
  }, 30_000);

  it('runs from the CLI with --config: a closed central port and an untrusted host, beside the machine checks', async () => {
    const closed = await freePort();
    const out = await doctor('kiosk', { ...kiosk({}), central: { transport: 'http', http: { url: `http://127.0.0.1:${closed}/events` } } });
    expect(out).toMatch(/^ok\s+config\s+.*kiosk\.yaml is valid$/m);
    expect(out).toMatch(/^warn\s+queue\s+queue host .*: certificate not trusted/m);
    expect(out).toMatch(new RegExp(`^warn\\s+central\\s+central events URL http://127\\.0\\.0\\.1:${closed}/events: unreachable \\(ECONNREFUSED\\); check the address`, 'm'));
    expect(out).toMatch(/serial/);
  }, 30_000);

  it('still checks the machine when the config does not load, and says why on one line', async () => {
    const out = await doctor('broken', 'queue: { role: kiosk }\n');
    expect(out).toMatch(/^warn\s+config\s+invalid config .*broken\.yaml: queue\.role: expected one of "host", "client", got "kiosk"$/m);
    expect(out).toMatch(/\d+ checks, \d+ missing/);
  }, 30_000);
});
