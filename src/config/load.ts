/**
 * Loads the YAML config, applies env and CLI overrides, fills defaults and validates against the
 * schema. Errors name the key path and what was expected: `devices[1].baudRate: expected integer, got "fast"`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { projectPath } from '../paths.ts';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';
import { ConfigSchema, type Config, type DeviceConfig } from './schema.ts';
import { driverRegistry, driverNames } from '../../drivers/registry.ts';
import type { DeviceType } from '../../drivers/contracts.ts';

export const DEFAULT_CONFIG_PATH = projectPath('config', 'default.yaml');

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly file?: string,
  ) {
    super(`invalid config${file ? ` ${file}` : ''}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface Overrides {
  configPath?: string;
  port?: number | string;
  dataDir?: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false, verbose: true });
const validateRoot = ajv.compile(ConfigSchema);
const deviceValidators = new Map<string, ReturnType<typeof ajv.compile>>();

/** `/devices/1/baudRate` → `devices[1].baudRate` */
export function jsonPointerToPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out || '(root)';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: any = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur == null) return undefined;
    cur = cur[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

export function formatAjvErrors(errors: ErrorObject[] | null | undefined, data: unknown, prefix = ''): string[] {
  const out = new Set<string>();
  // A union failing yields one error per branch plus `anyOf`; report the `anyOf` once with the literals.
  const unionPaths = new Set((errors ?? []).filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors ?? []) {
    const path = jsonPointerToPath(e.instancePath, prefix);
    const got = describe(valueAt(data, e.instancePath));
    switch (e.keyword) {
      case 'type':
        if (unionPaths.has(e.instancePath)) break;
        out.add(`${path}: expected ${e.params.type}, got ${got}`);
        break;
      case 'const':
        if (unionPaths.has(e.instancePath)) break;
        out.add(`${path}: expected ${JSON.stringify(e.params.allowedValue)}, got ${got}`);
        break;
      case 'anyOf': {
        const schema = e.parentSchema as { anyOf?: { const?: unknown }[] } | undefined;
        const literals = (schema?.anyOf ?? []).map((s) => s.const).filter((c) => c !== undefined);
        out.add(literals.length ? `${path}: expected one of ${literals.map((l) => JSON.stringify(l)).join(', ')}, got ${got}` : `${path}: ${e.message}, got ${got}`);
        break;
      }
      case 'required':
        out.add(`${jsonPointerToPath(`${e.instancePath}/${e.params.missingProperty}`, prefix)}: required`);
        break;
      case 'additionalProperties':
        out.add(`${jsonPointerToPath(`${e.instancePath}/${e.params.additionalProperty}`, prefix)}: unknown key`);
        break;
      default:
        out.add(`${path}: ${e.message}, got ${got}`);
    }
  }
  return [...out];
}

function validateDevices(devices: DeviceConfig[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  devices.forEach((dev, i) => {
    if (seen.has(dev.id)) problems.push(`devices[${i}].id: duplicate id "${dev.id}"`);
    seen.add(dev.id);
    const family = driverRegistry[dev.type as DeviceType];
    const entry = family?.[dev.driver];
    if (!entry) {
      problems.push(`devices[${i}].driver: unknown driver "${dev.driver}" for ${dev.type}; valid drivers: ${driverNames(dev.type as DeviceType).join(', ')}`);
      return;
    }
    const cacheKey = `${dev.type}/${dev.driver}`;
    let validate = deviceValidators.get(cacheKey);
    if (!validate) {
      validate = ajv.compile(entry.schema);
      deviceValidators.set(cacheKey, validate);
    }
    if (!validate(dev)) problems.push(...formatAjvErrors(validate.errors, dev, `devices[${i}]`));
  });
  return problems;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;

/** Rules that span keys. */
function crossChecks(cfg: Config): string[] {
  const out: string[] = [];
  const tls = cfg.agent.tls;
  if (!LOOPBACK.test(cfg.agent.listen.host) && !(tls.cert && tls.key) && !cfg.security.allowInsecureLan) {
    out.push(`agent.listen.host: "${cfg.agent.listen.host}" is reachable from the LAN; set agent.tls.cert and agent.tls.key, or security.allowInsecureLan: true on an isolated network`);
  }
  if (Boolean(tls.cert) !== Boolean(tls.key)) out.push('agent.tls: cert and key go together');
  // HH:MM strings of equal length compare in time order; a session ending at or before its start would never open.
  cfg.queue.openingHours.forEach((h, i) => {
    if (h.to <= h.from) out.push(`queue.openingHours[${i}].to: expected a time after from ("${h.from}"), got "${h.to}"`);
  });
  return out;
}

/** Validates a parsed config object (defaults are filled in place). Throws ConfigError. */
export function validateConfig(raw: unknown, file?: string): Config {
  const data = raw ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError([`(root): expected a mapping of sections, got ${describe(data)}`], file);
  if (!validateRoot(data)) throw new ConfigError(formatAjvErrors(validateRoot.errors, data), file);
  const cfg = data as Config;
  const problems = validateDevices(cfg.devices as DeviceConfig[]);
  problems.push(...crossChecks(cfg));
  if (problems.length) throw new ConfigError(problems, file);
  return cfg;
}

export function parseConfigText(text: string, file?: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) throw new ConfigError([`YAML syntax: ${err.message.split('\n')[0]}`], file);
    throw err;
  }
}

/** Resolves the config file (CLI > env > default), reads, overrides and validates it. */
export function loadConfig(overrides: Overrides = {}, env: NodeJS.ProcessEnv = process.env): { config: Config; file: string } {
  const file = overrides.configPath ?? env.HCC_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], file);
  }
  const raw = (parseConfigText(text, file) ?? {}) as Record<string, any>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([`(root): expected a mapping of sections, got ${describe(raw)}`], file);
  const port = overrides.port ?? env.HCC_AGENT_PORT;
  const dataDir = overrides.dataDir ?? env.HCC_AGENT_DATA_DIR;
  if (port !== undefined || dataDir !== undefined) {
    raw.agent ??= {};
    if (port !== undefined) {
      const n = Number(port);
      raw.agent.listen = { ...(raw.agent.listen ?? {}), port: Number.isInteger(n) && String(port).trim() !== '' ? n : port };
    }
    if (dataDir !== undefined) raw.agent.dataDir = dataDir;
  }
  const config = validateConfig(raw, file);
  // Catalogue files live beside the config file (config/procedures, /etc/hcc-agent/procedures).
  config.procedures.files = config.procedures.files.map((f) => resolve(dirname(file), f));
  return { config, file };
}
