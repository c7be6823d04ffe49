/**
 * hcc-agent CLI: start | doctor | devices | config check FILE.
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid config or usage, 3 unusable database.
 */
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, parseConfigText, validateConfig } from './config/load.ts';
import { readFileSync } from 'node:fs';
import { StoreError } from './store/db.ts';

const USAGE = `usage: hcc-agent <command> [options]
  start [--config FILE] [--port N] [--data-dir DIR]   run the agent
  doctor [--config FILE]                              check this machine (ports, HID, CUPS, SANE, udev) and the config's links
  devices [--config FILE]                             devices of the running agent (or of the config)
  config check FILE                                   validate a config file
  token add NAME --scopes print,scan,... [--config FILE]   create a token (the secret is shown once)
  token list | token revoke NAME [--config FILE]      stored tokens (only hashes are kept)
  central-dev [--port N]                              reference receiver for demos and tests (env HCC_CENTRAL_TOKEN, HCC_CENTRAL_HMAC_SECRET)`;

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function load(values: { config?: string; port?: string; 'data-dir'?: string }) {
  try {
    return loadConfig({ configPath: values.config, port: values.port, dataDir: values['data-dir'] });
  } catch (err) {
    if (err instanceof ConfigError) fail(2, `hcc-agent: ${err.message}`);
    throw err;
  }
}

async function start(values: { config?: string; port?: string; 'data-dir'?: string }): Promise<void> {
  const { config, file } = load(values);
  const { buildApp } = await import('./app.ts');
  let agent;
  try {
    agent = await buildApp(config);
  } catch (err) {
    if (err instanceof StoreError) fail(3, `hcc-agent: ${err.message}`);
    throw err;
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => fail(1, `hcc-agent: did not stop within 5 s after ${signal}`), 4800);
    force.unref();
    try {
      await agent.stop();
      process.exit(0);
    } catch (err) {
      fail(1, `hcc-agent: stop failed: ${(err as Error).message}`);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  try {
    const { address } = await agent.start();
    const devices = agent.ctx.devices.list().map((d) => `${d.id} (${d.type}/${d.driver}: ${d.state})`).join(', ') || 'none';
    process.stdout.write(`hcc-agent ${config.agent.id}@${config.agent.site} listening on ${address} (config ${file}); devices: ${devices}\n`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await agent.stop().catch(() => undefined);
    fail(1, `hcc-agent: cannot start: ${e.code === 'EADDRINUSE' ? `port ${config.agent.listen.port} is already in use (another agent running?)` : e.message}`);
  }
}

async function devicesCmd(values: { config?: string; port?: string; 'data-dir'?: string }): Promise<void> {
  const { config } = load(values);
  const url = `http://127.0.0.1:${config.agent.listen.port}/api/v1/devices`;
  let list: { id: string; type: string; driver: string; state: string; status: { reason: string } }[];
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    list = (await res.json()) as typeof list;
    process.stdout.write(`devices of the running agent (${url}):\n`);
  } catch {
    list = config.devices.map((d) => ({ id: d.id, type: d.type, driver: d.driver, state: 'not running', status: { reason: 'agent not running' } }));
    process.stdout.write('agent not running; configured devices:\n');
  }
  for (const d of list) process.stdout.write(`  ${d.id.padEnd(16)} ${`${d.type}/${d.driver}`.padEnd(30)} ${d.state.padEnd(12)} ${d.status.reason}\n`);
}

function configCheck(file: string | undefined): void {
  if (!file) fail(2, USAGE);
  try {
    const cfg = validateConfig(parseConfigText(readFileSync(file, 'utf8'), file), file);
    process.stdout.write(`${file}: ok (${cfg.devices.length} devices, ${cfg.queue.services.length} services, central: ${cfg.central.transport})\n`);
  } catch (err) {
    if (err instanceof ConfigError) fail(2, `hcc-agent: ${err.message}`);
    fail(2, `hcc-agent: cannot read ${file}: ${(err as Error).message}`);
  }
}

async function tokenCmd(values: { config?: string; port?: string; 'data-dir'?: string; scopes?: string }, args: string[]): Promise<void> {
  const { config } = load(values);
  const { SCOPES } = await import('./config/schema.ts');
  const { openDatabase } = await import('./store/db.ts');
  const { TokenStore } = await import('./security/tokens.ts');
  const { resolve } = await import('node:path');
  const db = openDatabase(resolve(config.agent.dataDir));
  const store = new TokenStore(db);
  const [sub, name] = args;
  try {
    if (sub === 'add' && name) {
      const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (!scopes.length || bad.length) fail(2, `hcc-agent: --scopes must list some of ${SCOPES.join(', ')}${bad.length ? `; unknown: ${bad.join(', ')}` : ''}`);
      const secret = store.add(name, scopes as (typeof SCOPES)[number][]);
      process.stdout.write(`token "${name}" (${scopes.join(', ')}) created; it is shown only now:\n${secret}\n`);
    } else if (sub === 'list') {
      for (const t of store.list()) process.stdout.write(`${t.name.padEnd(20)} ${t.scopes.join(',').padEnd(40)} created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}\n`);
    } else if (sub === 'revoke' && name) {
      if (!store.revoke(name)) fail(1, `hcc-agent: no live token named "${name}"`);
      process.stdout.write(`token "${name}" revoked\n`);
    } else {
      fail(2, USAGE);
    }
  } catch (err) {
    fail(1, `hcc-agent: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' }, scopes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [cmd = 'start', ...rest] = positionals;
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  switch (cmd) {
    case 'start':
      return start(values);
    case 'doctor': {
      const { runDoctor } = await import('./doctor.ts');
      let config: Parameters<typeof runDoctor>[1];
      try {
        config = loadConfig({ configPath: values.config });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        config = { error: `invalid config ${err.file ?? ''}: ${err.problems.join('; ')}` };
      }
      process.exit(await runDoctor(process.stdout, config));
      return;
    }
    case 'devices':
      return devicesCmd(values);
    case 'token':
      return tokenCmd(values, rest);
    case 'central-dev': {
      const { runCentralDev } = await import('./outbox/receiver.ts');
      return runCentralDev({ port: values.port ? Number(values.port) : 7480, token: process.env.HCC_CENTRAL_TOKEN, hmacSecret: process.env.HCC_CENTRAL_HMAC_SECRET });
    }
    case 'config':
      if (rest[0] !== 'check') fail(2, USAGE);
      return configCheck(rest[1] ?? values.config);
    default:
      fail(2, `hcc-agent: unknown command "${cmd}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError) fail(2, `hcc-agent: ${err.message}`);
  if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail(2, `hcc-agent: ${(err as Error).message}\n${USAGE}`);
  fail(1, `hcc-agent: ${(err as Error).stack ?? err}`);
});
