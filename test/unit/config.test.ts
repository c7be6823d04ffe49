import { describe, it, expect } from 'vitest';
import { validateConfig, ConfigError, jsonPointerToPath, loadConfig, DEFAULT_CONFIG_PATH } from '../../src/config/load.ts';
import { ConfigSchema } from '../../src/config/schema.ts';
import { driverRegistry } from '../../drivers/registry.ts';

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('fills every default from an empty file', () => {
    const cfg = validateConfig({});
    expect(cfg.agent.listen).toEqual({ host: '127.0.0.1', port: 7420 });
    expect(cfg.agent.dataDir).toBe('./data');
    expect(cfg.central.transport).toBe('none');
    expect(cfg.security.tokens).toEqual([]);
    expect(cfg.devices).toEqual([]);
  });

  it('loads the shipped default config with three simulated devices', () => {
    const { config } = loadConfig({ configPath: DEFAULT_CONFIG_PATH }, {});
    expect(config.devices.map((d) => `${d.type}/${d.driver}`)).toEqual(['printer/simulated', 'barcode/simulated', 'document-scanner/simulated']);
  });

  it('names the key path and what was expected', () => {
    expect(problems({ agent: { listen: { port: 'fast' } } })).toContain('agent.listen.port: expected integer, got "fast"');
    expect(problems({ devices: [{ id: 'a', type: 'printer', driver: 'simulated' }, { id: 'b', type: 'printer', driver: 'simulated', width: 'wide' }] })).toContain(
      'devices[1].width: expected one of 384, 512, 576, got "wide"',
    );
    expect(problems({ central: { transport: 'kafka' } })).toContain('central.transport: expected one of "none", "http", "mqtt", got "kafka"');
    expect(problems({ agent: { colour: 'red' } })).toContain('agent.colour: unknown key');
    // A session that closes before it opens would never issue a ticket.
    expect(problems({ queue: { openingHours: [{ from: '07:30', to: '11:30' }, { from: '13:30', to: '00:00' }] } })).toEqual(['queue.openingHours[1].to: expected a time after from ("13:30"), got "00:00"']);
  });

  it('lists the valid drivers for an unknown one', () => {
    const [p] = problems({ devices: [{ id: 'x', type: 'printer', driver: 'laser-magic' }] });
    expect(p).toMatch(/^devices\[0\]\.driver: unknown driver "laser-magic" for printer; valid drivers: .*simulated/);
  });

  it('refuses duplicate device ids and unknown device keys', () => {
    const p = problems({
      devices: [
        { id: 'a', type: 'barcode', driver: 'simulated' },
        { id: 'a', type: 'barcode', driver: 'simulated', speed: 3 },
      ],
    });
    expect(p).toContain('devices[1].id: duplicate id "a"');
    expect(p).toContain('devices[1].speed: unknown key');
  });

  it('applies env and CLI overrides, CLI first', () => {
    const env = { HCC_AGENT_PORT: '8000', HCC_AGENT_DATA_DIR: '/tmp/env-data' };
    expect(loadConfig({}, env).config.agent.listen.port).toBe(8000);
    expect(loadConfig({}, env).config.agent.dataDir).toBe('/tmp/env-data');
    expect(loadConfig({ port: '9000' }, env).config.agent.listen.port).toBe(9000);
    expect(() => loadConfig({ port: 'x' }, {})).toThrow(/agent\.listen\.port: expected integer, got "x"/);
  });

  it('reports YAML syntax errors and missing files as config errors', () => {
    expect(() => loadConfig({ configPath: '/nonexistent/x.yaml' }, {})).toThrow(/cannot read config file: ENOENT/);
  });

  it('converts JSON pointers to key paths', () => {
    expect(jsonPointerToPath('/devices/1/baudRate')).toBe('devices[1].baudRate');
    expect(jsonPointerToPath('/width', 'devices[0]')).toBe('devices[0].width');
    expect(jsonPointerToPath('')).toBe('(root)');
  });
});

/** Every key of the schema (and of every driver schema) carries a title, a description and a default. */
function undocumented(schema: any, path: string, out: string[], isItemRoot = false): void {
  if (schema.properties) {
    for (const [k, sub] of Object.entries<any>(schema.properties)) {
      const p = path ? `${path}.${k}` : k;
      if (!sub.title || !sub.description || !('default' in sub)) out.push(p);
      undocumented(sub, p, out);
    }
  }
  if (schema.items) undocumented(schema.items, `${path}[]`, out, true);
  void isItemRoot;
}

describe('config schema documentation', () => {
  it('gives every key a title, description and default', () => {
    const missing: string[] = [];
    undocumented(ConfigSchema, '', missing);
    for (const fam of Object.values(driverRegistry)) for (const d of Object.values(fam)) undocumented(d.schema, `devices[${d.type}/${d.name}]`, missing);
    expect(missing).toEqual([]);
  });
});
